using TorchSharp;
using TorchSharp.Modules;
using Vae.Training.Onnx;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>Every supported layer: random weights, random input, ONNX Runtime vs TorchSharp ≤ 1e-5.</summary>
public class LayerParityTests
{
    private static readonly Dictionary<string, (Func<nn.Module<Tensor, Tensor>> Create, int[] Shape, double Scale)> Cases = new()
    {
        ["linear"] = (() => nn.Linear(12, 7), [12], 1),
        ["linear-no-bias"] = (() => nn.Linear(12, 7, hasBias: false), [12], 1),
        ["linear-rank3-matmul"] = (() => nn.Linear(6, 5), [4, 6], 1),
        ["linear-rank4-no-bias"] = (() => nn.Linear(6, 5, hasBias: false), [2, 3, 6], 1),
        ["conv1d"] = (() => nn.Conv1d(3, 4, 3, stride: 2, padding: 1), [3, 11], 1),
        ["conv2d"] = (() => nn.Conv2d(2, 4, 3, stride: 1, padding: 1), [2, 9, 9], 1),
        ["conv2d-non-square-stride-dilation"] = (() => nn.Conv2d(2, 3, (3, 5), stride: (2, 1), padding: (1, 2), dilation: (1, 2)), [2, 11, 13], 1),
        ["conv2d-groups"] = (() => nn.Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2), [4, 10, 10], 1),
        ["conv2d-depthwise-no-bias"] = (() => nn.Conv2d(4, 4, 3, groups: 4, bias: false), [4, 8, 8], 1),
        ["conv2d-padding-same"] = (() => nn.Conv2d(2, 3, (4, 3), padding: Padding.Same), [2, 9, 8], 1),
        ["conv2d-padding-valid"] = (() => nn.Conv2d(2, 3, 3, padding: Padding.Valid), [2, 9, 8], 1),
        ["conv2d-reflect"] = (() => nn.Conv2d(2, 3, 3, 1, 1, 1, PaddingModes.Reflect), [2, 7, 7], 1),
        ["conv2d-replicate"] = (() => nn.Conv2d(2, 3, 3, 1, 2, 1, PaddingModes.Replicate), [2, 7, 7], 1),
        ["conv3d-non-square-groups"] = (() => nn.Conv3d(2, 4, (3, 1, 2), stride: (1, 2, 1), padding: (1, 0, 1), groups: 2), [2, 5, 6, 4], 1),
        ["conv-transpose1d"] = (() => nn.ConvTranspose1d(3, 2, 4, stride: 2, padding: 1), [3, 7], 1),
        ["conv-transpose2d-stride2-output-padding1"] = (() => nn.ConvTranspose2d(4, 2, 3, stride: 2, padding: 1, output_padding: 1), [4, 7, 7], 1),
        ["conv-transpose2d-non-square"] = (() => nn.ConvTranspose2d(3, 2, (2, 4), stride: (2, 3), padding: (0, 1), output_padding: (1, 2)), [3, 5, 6], 1),
        ["conv-transpose2d-groups-dilation"] = (() => nn.ConvTranspose2d(4, 6, 3, stride: 2, padding: 2, output_padding: 1, dilation: 2, groups: 2), [4, 5, 5], 1),
        ["conv-transpose3d-stride2-output-padding1"] = (() => nn.ConvTranspose3d(2, 3, 3, stride: 2, padding: 1, output_padding: 1), [2, 3, 4, 3], 1),
        ["batchnorm1d"] = (() => Trained(nn.BatchNorm1d(6), [6]), [6], 1),
        ["batchnorm1d-rank3"] = (() => Trained(nn.BatchNorm1d(3), [3, 5]), [3, 5], 1),
        ["batchnorm2d"] = (() => Trained(nn.BatchNorm2d(3), [3, 4, 4]), [3, 4, 4], 1),
        ["batchnorm2d-no-affine"] = (() => Trained(nn.BatchNorm2d(3, affine: false), [3, 4, 4]), [3, 4, 4], 1),
        ["batchnorm3d"] = (() => Trained(nn.BatchNorm3d(2), [2, 3, 4, 3]), [2, 3, 4, 3], 1),
        ["layernorm"] = (() => Randomized(nn.LayerNorm(8)), [3, 8], 1),
        ["layernorm-2d-no-affine"] = (() => nn.LayerNorm([4, 5], elementwise_affine: false), [3, 4, 5], 1),
        ["max-pool1d"] = (() => nn.MaxPool1d(3, stride: 2, padding: 1), [2, 11], 1),
        ["max-pool2d"] = (() => nn.MaxPool2d(2), [3, 8, 8], 1),
        ["max-pool2d-non-square-dilation-ceil"] = (() => nn.MaxPool2d((3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2), ceil_mode: true), [2, 9, 8], 1),
        ["avg-pool1d"] = (() => nn.AvgPool1d(3, stride: 2, padding: 1), [2, 11], 1),
        ["avg-pool2d"] = (() => nn.AvgPool2d(2), [3, 8, 8], 1),
        ["avg-pool2d-pad-exclude-ceil"] = (() => nn.AvgPool2d((3, 3), stride: (2, 2), padding: (1, 1), ceil_mode: true, count_include_pad: false), [2, 8, 9], 1),
        ["upsample-nearest-x2"] = (() => nn.Upsample(scale_factor: [2, 2], mode: UpsampleMode.Nearest), [3, 5, 6], 1),
        ["upsample-nearest-size"] = (() => nn.Upsample(size: [7, 9], mode: UpsampleMode.Nearest), [2, 4, 3], 1),
        ["upsample-bilinear-x2"] = (() => nn.Upsample(scale_factor: [2, 2], mode: UpsampleMode.Bilinear, align_corners: false), [2, 5, 4], 1),
        ["upsample-bilinear-align-corners"] = (() => nn.Upsample(size: [9, 7], mode: UpsampleMode.Bilinear, align_corners: true), [2, 5, 4], 1),
        ["upsample-bicubic-x2"] = (() => nn.Upsample(scale_factor: [2, 2], mode: UpsampleMode.Bicubic, align_corners: false), [1, 6, 5], 1),
        ["upsample-linear-1d"] = (() => nn.Upsample(scale_factor: [3], mode: UpsampleMode.Linear, align_corners: false), [2, 5], 1),
        ["upsample-trilinear-x2"] = (() => nn.Upsample(scale_factor: [2, 2, 2], mode: UpsampleMode.Trilinear, align_corners: false), [2, 3, 4, 3], 1),
        ["upsample-nearest-1d-x3"] = (() => nn.Upsample(scale_factor: [3], mode: UpsampleMode.Nearest), [2, 5], 1),
        ["relu"] = (() => nn.ReLU(), [10], 1),
        ["leaky-relu"] = (() => nn.LeakyReLU(0.2), [10], 1),
        ["elu"] = (() => nn.ELU(0.7), [10], 2),
        ["silu"] = (() => nn.SiLU(), [10], 3),
        ["gelu"] = (() => nn.GELU(), [10], 3),
        ["gelu-tanh"] = (() => nn.GELU(GELU.Approximate.tanh), [10], 3),
        ["tanh"] = (() => nn.Tanh(), [10], 2),
        ["sigmoid"] = (() => nn.Sigmoid(), [10], 3),
        ["softplus"] = (() => nn.Softplus(), [10], 10),
        ["softplus-beta-threshold"] = (() => nn.Softplus(2, 5), [10], 4),
        ["mish"] = (() => nn.Mish(), [10], 3),
        ["relu6"] = (() => nn.ReLU6(), [10], 5),
        ["softmax"] = (() => nn.Softmax(1), [10], 2),
        ["log-softmax"] = (() => nn.LogSoftmax(-1), [3, 10], 2),
        ["dropout"] = (() => Training(nn.Dropout(0.5)), [10], 1),
        ["dropout1d"] = (() => Training(nn.Dropout1d(0.5)), [3, 6], 1),
        ["dropout2d"] = (() => Training(nn.Dropout2d(0.5)), [3, 4, 4], 1),
        ["dropout3d"] = (() => Training(nn.Dropout3d(0.5)), [3, 2, 4, 4], 1),
        ["alpha-dropout"] = (() => Training(nn.AlphaDropout(0.5)), [10], 1),
        ["feature-alpha-dropout"] = (() => Training(nn.FeatureAlphaDropout(0.5)), [3, 4, 4], 1),
        ["identity"] = (() => nn.Identity(), [3, 4], 1),
        ["flatten"] = (() => nn.Flatten(), [2, 3, 4], 1),
        ["flatten-inner-axes"] = (() => nn.Flatten(2, 3), [2, 3, 4], 1),
        ["unflatten"] = (() => nn.Unflatten(1, [2, 3, 4]), [24], 1),
        ["sequential-nested"] = (() => nn.Sequential(nn.Linear(8, 6), nn.Sequential(nn.Tanh(), nn.Linear(6, 4)), nn.Sequential()), [8], 1),
        ["conv-decoder"] = (() => nn.Sequential(
            nn.Linear(5, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, [32, 7, 7]),
            nn.ConvTranspose2d(32, 16, 4, stride: 2, padding: 1), Trained(nn.BatchNorm2d(16), [16, 14, 14]), nn.LeakyReLU(0.1),
            nn.ConvTranspose2d(16, 1, 3, stride: 2, padding: 1, output_padding: 1)), [5], 1),
        ["conv-encoder"] = (() => nn.Sequential(
            nn.Conv2d(1, 8, 4, stride: 2, padding: 1), nn.SiLU(), nn.Conv2d(8, 16, 3, stride: 2, padding: 1), nn.GELU(),
            nn.Flatten(), nn.Dropout(0.1), nn.Linear(16 * 7 * 7, 10)), [1, 28, 28], 1),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Layer_matches_torchsharp_within_1e_5(string name)
    {
        torch.random.manual_seed(11);
        var (create, shape, scale) = Cases[name];
        using var module = create();
        LayerParity.Check(module, shape, inputScale: scale);
    }

    public static TheoryData<string, int> OpsetDependent => new()
    {
        { "gelu", 13 }, { "gelu", 17 }, { "gelu", 20 }, { "gelu", OnnxOpsets.Max },
        { "gelu-tanh", 17 }, { "gelu-tanh", 20 },
        { "layernorm", 13 }, { "layernorm", 16 }, { "layernorm", 17 }, { "layernorm", OnnxOpsets.Max },
        { "layernorm-2d-no-affine", 16 }, { "layernorm-2d-no-affine", 18 },
        { "upsample-bilinear-x2", 13 }, { "upsample-nearest-x2", OnnxOpsets.Max }, { "upsample-bicubic-x2", OnnxOpsets.Max },
        { "avg-pool2d-pad-exclude-ceil", 13 }, { "max-pool2d-non-square-dilation-ceil", OnnxOpsets.Max },
        { "conv-decoder", 13 }, { "conv-decoder", OnnxOpsets.Max },
        { "conv-encoder", 13 }, { "conv-encoder", OnnxOpsets.Max },
    };

    [Theory]
    [MemberData(nameof(OpsetDependent))]
    public void Layer_matches_at_every_opset_form(string name, int opset)
    {
        torch.random.manual_seed(12);
        var (create, shape, scale) = Cases[name];
        using var module = create();
        LayerParity.Check(module, shape, opset, scale);
    }

    [Fact]
    public void Gelu_uses_the_gelu_operator_from_opset_20_and_erf_below()
    {
        using var gelu = nn.GELU();
        var ops17 = OpTypes(OnnxModuleExporter.Export(gelu, [4], new ExportOptions { Opset = 17 }).Model);
        var ops20 = OpTypes(OnnxModuleExporter.Export(gelu, [4], new ExportOptions { Opset = 20 }).Model);
        Assert.Contains("Erf", ops17);
        Assert.DoesNotContain("Gelu", ops17);
        Assert.Equal(["Gelu"], ops20);
    }

    [Fact]
    public void Linear_is_gemm_on_rank_2_and_matmul_add_above()
    {
        torch.random.manual_seed(13);
        using var linear = nn.Linear(6, 3);
        Assert.Equal(["Gemm"], OpTypes(OnnxModuleExporter.Export(linear, [6]).Model));
        Assert.Equal(["Transpose", "MatMul", "Add"], OpTypes(OnnxModuleExporter.Export(linear, [2, 6]).Model));
    }

    [Fact]
    public void Initializers_are_named_after_the_torchsharp_parameters()
    {
        torch.random.manual_seed(14);
        using var model = nn.Sequential(("body", nn.Sequential(nn.Conv2d(1, 2, 3), Trained(nn.BatchNorm2d(2), [2, 4, 4]))), ("flat", nn.Flatten()), ("head", nn.Linear(32, 3)));
        var proto = Vae.Onnx.Proto.ModelProto.Parser.ParseFrom(OnnxModuleExporter.Export(model, [1, 6, 6]).Model);
        var names = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
        foreach (var (name, _) in model.named_parameters()) Assert.Contains(name, names);
        Assert.Contains("body.1.running_mean", names);
        Assert.Contains("body.1.running_var", names);
        Assert.All(proto.Graph.Input.Concat(proto.Graph.Output), v => Assert.Equal("batch", v.Type.TensorType.Shape.Dim[0].DimParam));
    }

    internal static string[] OpTypes(byte[] model) =>
        Vae.Onnx.Proto.ModelProto.Parser.ParseFrom(model).Graph.Node.Select(n => n.OpType).ToArray();

    // BatchNorm with non-trivial running statistics: a few training-mode passes over shifted, scaled data.
    internal static T Trained<T>(T norm, int[] sampleShape) where T : nn.Module<Tensor, Tensor>
    {
        norm.train();
        using (no_grad())
        {
            for (int i = 0; i < 5; i++)
            {
                using var batch = randn([16, .. sampleShape.Select(d => (long)d)]) * 3 + 1.5;
                norm.forward(batch).Dispose();
            }
            foreach (var (_, p) in norm.named_parameters()) p.uniform_(0.5, 1.5);
        }
        norm.eval();
        return norm;
    }

    private static T Randomized<T>(T module) where T : nn.Module
    {
        using (no_grad())
            foreach (var (_, p) in module.named_parameters()) p.uniform_(-1, 1);
        return module;
    }

    private static T Training<T>(T module) where T : nn.Module
    {
        module.train();
        return module;
    }
}
