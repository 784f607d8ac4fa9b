using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Training.Onnx;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>
/// Exports one module with <see cref="OnnxModuleExporter"/> and then checks it independently of the exporter's
/// own verification: a fresh ONNX Runtime session on a new input (batch 5) against the TorchSharp forward pass.
/// </summary>
internal static class LayerParity
{
    /// <summary>The bound: max |ONNX Runtime − TorchSharp| ≤ 1e-5 (fp32).</summary>
    public const double Bound = 1e-5;

    /// <summary>Exports <paramref name="module"/> at <paramref name="opset"/>, asserts parity, returns the largest difference seen.</summary>
    public static double Check(nn.Module<Tensor, Tensor> module, int[] sampleShape, int opset = ExportOptions.DefaultOpset, double inputScale = 1)
    {
        using var noGrad = no_grad();
        using var samples = randn([40, .. sampleShape.Select(d => (long)d)]) * inputScale;
        OnnxModuleExport export = OnnxModuleExporter.Export(module, sampleShape, new ExportOptions { Opset = opset }, samples: samples);
        Assert.InRange(export.MaxAbsDifference, 0, Bound);

        module.eval();
        using var x = randn([5, .. sampleShape.Select(d => (long)d)]) * inputScale;
        using Tensor expected = module.forward(x).contiguous();
        Assert.Equal(expected.shape.Skip(1).Select(d => (int)d), export.OutputShape);
        using var session = new InferenceSession(export.Model);
        float[] input = x.contiguous().data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, x.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["input"], [value], ["output"]);
        Assert.Equal(expected.shape, results[0].GetTensorTypeAndShape().Shape);
        float[] actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        double worst = MaxAbsDifference(expected.data<float>().ToArray(), actual);
        Assert.True(worst <= Bound, $"max |ONNX Runtime − TorchSharp| {worst:G3} > {Bound:G3}");
        return Math.Max(worst, export.MaxAbsDifference);
    }

    public static double MaxAbsDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
        return worst;
    }
}
