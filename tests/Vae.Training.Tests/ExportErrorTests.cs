using TorchSharp;
using TorchSharp.Modules;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>Modules and settings the exporter cannot express fail before anything is written, naming the module's path.</summary>
public class ExportErrorTests
{
    [Fact]
    public void Unsupported_module_names_its_path_and_type_and_nothing_is_written()
    {
        torch.random.manual_seed(41);
        using var model = new VaeWithDecoder(nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 16), new MyBlock()));
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "out");

        var e = Assert.Throws<UnsupportedModuleException>(() => VaeExporter.Export(model, folder));

        Assert.StartsWith("decoder.3: MyBlock is not supported", e.Message);
        Assert.Contains("OnnxLayerRegistry.Register<MyBlock>", e.Message);
        Assert.Equal("decoder.3", e.ModulePath);
        Assert.Equal(typeof(MyBlock), e.ModuleType);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_model_with_nan_weights_is_named_as_broken_not_as_an_onnx_mismatch()
    {
        // read "decoder output differs by NaN (TorchSharp NaN, ONNX Runtime NaN)", as if the exporter were at fault
        torch.random.manual_seed(43);
        using var model = new MlpVae(new VaeConfig { InputShape = [6], HiddenSizes = [4], LatentSize = 2 });
        using (torch.no_grad()) model.parameters().First().fill_(float.NaN);
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "out");

        var e = Assert.Throws<OnnxVerificationException>(() => VaeExporter.Export(model, folder));
        Assert.Contains("is NaN at index 0 in TorchSharp itself, before any comparison; the model's weights or the verification inputs are not finite", e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Registering_a_converter_makes_a_custom_layer_exportable()
    {
        torch.random.manual_seed(42);
        // The README's example: one call maps the module to ONNX nodes.
        OnnxLayerRegistry.Register<ScaledTanh>((graph, module, context) =>
            graph.AddNode("Mul", [graph.AddNode("Tanh", [context.Input], context.Path), graph.AddScalar(context.Parameter("scale"), module.Scale)],
                          context.Path, context.OutputName));
        Assert.True(OnnxLayerRegistry.IsSupported(typeof(ScaledTanh)));
        using var model = nn.Sequential(nn.Linear(6, 5), new ScaledTanh(2.5f), nn.Linear(5, 2));
        LayerParity.Check(model, [6]);
    }

    [Fact]
    public void Batch_norm_without_running_statistics_is_refused_with_the_reason()
    {
        using var model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4, track_running_stats: false));
        var e = Assert.Throws<UnsupportedModuleException>(() => OnnxModuleExporter.Export(model, [4]));
        Assert.StartsWith("1: BatchNorm1d is not supported by the ONNX exporter with this setting: track_running_stats is false", e.Message);
    }

    [Fact]
    public void Weights_off_the_cpu_are_refused_with_the_parameter_name()
    {
        using var model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2, device: META));
        var e = Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [4]));
        Assert.StartsWith("2.weight is on meta", e.Message);
        Assert.Contains(".cpu()", e.Message);
    }

    [Fact]
    public void Flattening_the_batch_axis_is_refused()
    {
        using var model = nn.Sequential(nn.Flatten(0, 1));
        var e = Assert.Throws<UnsupportedModuleException>(() => OnnxModuleExporter.Export(model, [3, 4]));
        Assert.Contains("batch axis", e.Message);
    }

    [Fact]
    public void Circular_padding_is_refused()
    {
        using var model = nn.Sequential(nn.Conv2d(1, 1, 3, 1, 1, 1, PaddingModes.Circular));
        var e = Assert.Throws<UnsupportedModuleException>(() => OnnxModuleExporter.Export(model, [1, 5, 5]));
        Assert.Contains("padding mode Circular", e.Message);
    }

    [Fact]
    public void Wrong_input_shape_names_the_module_and_the_shape()
    {
        using var model = nn.Sequential(nn.Linear(4, 2));
        var e = Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [5]));
        Assert.Contains("0: Linear rejects inputs of shape [batch, 5]", e.Message);
    }

    [Fact]
    public void Bad_arguments_are_refused_up_front()
    {
        using var model = nn.Sequential(nn.ReLU());
        Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [0, 3]));
        Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [3], inputName: "x", outputName: "x"));
        Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [3], new ExportOptions { Tolerance = 0 }));
        Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [3], new ExportOptions { TrainingSummary = "{oops" }));
        using var samples = zeros(4, 2);
        Assert.Throws<ArgumentException>(() => OnnxModuleExporter.Export(model, [3], samples: samples));
    }

    [Fact]
    public void Encoder_heads_of_the_wrong_size_are_refused()
    {
        using var model = new VaeWithDecoder(nn.Sequential(nn.Linear(3, 16)), meanSize: 4);
        var e = Assert.Throws<ArgumentException>(() => VaeOnnxGraphs.Build(model, new ExportOptions()));
        Assert.Contains("expected [batch, 3] (latent size)", e.Message);
    }

    /// <summary>A module with no converter.</summary>
    private sealed class MyBlock() : nn.Module<Tensor, Tensor>(nameof(MyBlock))
    {
        public override Tensor forward(Tensor x) => x * 2;
    }

    /// <summary>A custom layer registered in a test: scale · tanh(x).</summary>
    private sealed class ScaledTanh(float scale) : nn.Module<Tensor, Tensor>(nameof(ScaledTanh))
    {
        public float Scale { get; } = scale;
        public override Tensor forward(Tensor x) => x.tanh() * Scale;
    }

    /// <summary>An MLP VAE on 16 inputs whose decoder is given by the test.</summary>
    private sealed class VaeWithDecoder : VaeModule
    {
        private readonly Sequential encoder;
        private readonly Linear fc_mean;
        private readonly Linear fc_logvar;
        private readonly Sequential decoder;

        public VaeWithDecoder(Sequential decoder, int meanSize = 3) : base(nameof(VaeWithDecoder), new VaeConfig { InputShape = [16], HiddenSizes = [8], LatentSize = 3 })
        {
            encoder = nn.Sequential(nn.Linear(16, 8), nn.Tanh());
            fc_mean = nn.Linear(8, meanSize);
            fc_logvar = nn.Linear(8, 3);
            this.decoder = decoder;
            RegisterComponents();
        }

        public override (Tensor Mean, Tensor Logvar) Encode(Tensor x, Tensor? y = null)
        {
            Tensor h = encoder.forward(x);
            return (fc_mean.forward(h), fc_logvar.forward(h));
        }

        public override Tensor Decode(Tensor z, Tensor? y = null) => decoder.forward(z);

        public override VaeGraphLayout GraphLayout => new(encoder, fc_mean, fc_logvar, decoder, [16]);
    }
}
