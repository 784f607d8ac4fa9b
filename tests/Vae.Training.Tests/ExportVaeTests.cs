using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>Conv, conditional and Gaussian VAEs through the VAE exporter, checked against TorchSharp outside the exporter too.</summary>
public class ExportVaeTests
{
    public static TheoryData<int, string, bool> Variants => new()
    {
        { 0, "bernoulli", false },
        { 10, "bernoulli", false },
        { 0, "gaussian", true },
        { 3, "gaussian", true },
        { 4, "gaussian", false },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Conv_vae_variants_export_and_match_torchsharp(int classes, string likelihood, bool pixelLogvar)
    {
        torch.random.manual_seed(21);
        using var model = NewModel(classes, likelihood, pixelLogvar);
        string folder = RepoPaths.NewTempFolder();

        ExportResult result = VaeExporter.Export(model, folder);
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);

        using var encoder = new InferenceSession(result.EncoderPath);
        using var decoder = new InferenceSession(result.DecoderPath);
        string output = likelihood == "bernoulli" ? "logits" : "mean";
        Assert.Equal(classes > 0 ? ["x", "y"] : ["x"], encoder.InputMetadata.Keys);
        Assert.Equal(classes > 0 ? ["z", "y"] : ["z"], decoder.InputMetadata.Keys);
        Assert.Equal(pixelLogvar ? [output, "logvar"] : [output], decoder.OutputMetadata.Keys);
        Assert.Equal([-1, 1, 8, 8], decoder.OutputMetadata[output].Dimensions);

        // Independent check on a fresh batch of 6 (labels 0, 1, 2, ... mod classes).
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor x = rand(6, 1, 8, 8);
        Tensor? y = classes > 0 ? OnnxExportVerifier.OneHot(arange(6, dtype: int64) % classes, classes) : null;
        var (mean, logvar) = model.Encode(x, y);
        var encoded = OnnxParity.Run(encoder, y is null ? [("x", x)] : [("x", x), ("y", y)], ["mean", "logvar"]);
        Assert.InRange(LayerParity.MaxAbsDifference(mean.data<float>().ToArray(), encoded[0]), 0, LayerParity.Bound);
        Assert.InRange(LayerParity.MaxAbsDifference(logvar.data<float>().ToArray(), encoded[1]), 0, LayerParity.Bound);
        Tensor z = randn(6, 3);
        var decoded = OnnxParity.Run(decoder, y is null ? [("z", z)] : [("z", z), ("y", y)], pixelLogvar ? [output, "logvar"] : [output]);
        Assert.InRange(LayerParity.MaxAbsDifference(model.Decode(z, y).contiguous().data<float>().ToArray(), decoded[0]), 0, LayerParity.Bound);
        if (pixelLogvar)
        {
            Tensor expected = model.GraphLayout.PixelLogvar!.detach().reshape(1, -1).expand(6, -1).contiguous();
            Assert.Equal(expected.data<float>().ToArray(), decoded[1]);
        }

        // reference.json carries labels (and the per-pixel logvar) for the inference tests.
        var reference = ReferenceOutputs.Load(Path.Combine(folder, ReferenceOutputs.FileName));
        Assert.Equal(classes > 0, reference.Y is not null);
        Assert.Equal(pixelLogvar, reference.DecodedLogvar is not null);
        if (classes > 0) Assert.Equal(classes, reference.Y![0].Length);
    }

    [Fact]
    public void Wrong_label_tensor_for_verification_is_rejected_with_the_class_range()
    {
        torch.random.manual_seed(22);
        using var model = NewModel(3, "bernoulli", false);
        using var samples = rand(40, 1, 8, 8);
        using var labels = full(40, 7L, dtype: int64);
        var e = Assert.Throws<ArgumentException>(() => VaeExporter.Export(model, RepoPaths.NewTempFolder(), null, samples, labels));
        Assert.Contains("3 classes", e.Message);
    }

    [Fact]
    public void Real_samples_with_labels_join_the_verification()
    {
        torch.random.manual_seed(23);
        using var model = NewModel(10, "bernoulli", false);
        using var samples = rand(40, 1, 8, 8);
        using var labels = randint(10, [40], dtype: int64);
        ExportResult result = VaeExporter.Export(model, RepoPaths.NewTempFolder(), null, samples, labels);
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);
    }

    internal static TestConvVae NewModel(int classes, string likelihood, bool pixelLogvar) =>
        new TestConvVae(new VaeConfig
        {
            InputShape = [1, 8, 8],
            LatentSize = 3,
            Likelihood = likelihood == "bernoulli" ? Likelihood.Bernoulli : Likelihood.Gaussian,
        }, classes, pixelLogvar).WithRunningStatistics(5);
}
