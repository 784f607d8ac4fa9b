using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Training.Onnx;
using Vae.Onnx.Proto;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>Which opsets and IR versions the exporter offers, and that ONNX Runtime loads the newest of them.</summary>
public class OnnxOpsetTests
{
    [Fact]
    public void Onnx_runtime_loads_the_highest_offered_opset()
    {
        using var ok = new InferenceSession(ReluModel(OnnxOpsets.Max));
        Assert.NotNull(ok);
    }

    [Fact]
    public void Every_offered_opset_exports_a_verified_mlp()
    {
        torch.random.manual_seed(31);
        using var model = nn.Sequential(nn.Linear(10, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 4));
        for (int opset = OnnxOpsets.Min; opset <= OnnxOpsets.Max; opset++)
        {
            var export = OnnxModuleExporter.Export(model, [10], new ExportOptions { Opset = opset });
            var proto = ModelProto.Parser.ParseFrom(export.Model);
            Assert.Equal(opset, proto.OpsetImport.Single().Version);
            Assert.Equal(Math.Max(8, OnnxOpsets.MinIrVersion(opset)), proto.IrVersion);
            Assert.InRange(export.MaxAbsDifference, 0, LayerParity.Bound);
        }
    }

    [Fact]
    public void Default_is_opset_17_ir_8()
    {
        using var relu = nn.ReLU();
        var proto = ModelProto.Parser.ParseFrom(OnnxModuleExporter.Export(relu, [3]).Model);
        Assert.Equal(17, proto.OpsetImport.Single().Version);
        Assert.Equal(8, proto.IrVersion);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(OnnxOpsets.Max + 1)]
    public void Opset_out_of_range_is_refused_up_front(int opset)
    {
        using var relu = nn.ReLU();
        var e = Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(relu, [3], new ExportOptions { Opset = opset }));
        Assert.Contains($"{OnnxOpsets.Min} to {OnnxOpsets.Max}", e.Message);
    }

    [Fact]
    public void Onnx_runtime_loads_the_highest_offered_ir_version()
    {
        using var ok = new InferenceSession(ReluModel(OnnxOpsets.Max, OnnxOpsets.MaxIrVersion));
        Assert.NotNull(ok);
    }

    [Fact]
    public void Ir_version_newer_than_onnx_runtime_loads_is_refused_up_front()
    {
        // It passed Validate, and the export failed in verification with ONNX Runtime's message about model.cc.
        var e = Assert.Throws<ArgumentException>(() => new ExportOptions { IrVersion = 14 }.Validate());
        Assert.Equal("IrVersion", e.ParamName);
        Assert.Contains("ExportOptions.IrVersion is 14; expected 8 to 13 for opset 17", e.Message);
        using var relu = nn.ReLU();
        e = Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(relu, [3], new ExportOptions { Opset = 26, IrVersion = 99 }));
        Assert.Contains("ExportOptions.IrVersion is 99; expected 13 for opset 26", e.Message);
        var newest = new ExportOptions { IrVersion = OnnxOpsets.MaxIrVersion };
        Assert.Same(newest, newest.Validate());
    }

    [Fact]
    public void Ir_version_too_old_for_the_opset_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ExportOptions { Opset = 21, IrVersion = 8 }.Validate());
        Assert.Contains("needs IR version 10", e.Message);
    }

    // A one-node model written directly, bypassing the exporter's own opset check.
    private static byte[] ReluModel(int opset, int? irVersion = null)
    {
        var graph = new OnnxGraphBuilder(OnnxOpsets.Min);
        graph.AddInput("x", [3]);
        graph.AddNode("Relu", ["x"], "relu", "y");
        graph.AddOutput("y", [3]);
        var model = new ModelProto { IrVersion = irVersion ?? OnnxOpsets.MinIrVersion(Math.Min(opset, OnnxOpsets.Max)), Graph = graph.Build("relu") };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }
}
