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
        string[] outputs = likelihood == "bernoulli" ? [output, "probs"] : pixelLogvar ? [output, "logvar"] : [output];
        Assert.Equal(outputs, decoder.OutputMetadata.Keys);
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
        var decoded = OnnxParity.Run(decoder, y is null ? [("z", z)] : [("z", z), ("y", y)], outputs);
        Tensor expectedOutput = model.Decode(z, y).contiguous();
        Assert.InRange(LayerParity.MaxAbsDifference(expectedOutput.data<float>().ToArray(), decoded[0]), 0, LayerParity.Bound);
        if (likelihood == "bernoulli")
            Assert.InRange(LayerParity.MaxAbsDifference(expectedOutput.sigmoid().data<float>().ToArray(), decoded[1]), 0, LayerParity.Bound);
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
    public void Logits_only_export_leaves_the_sigmoid_to_the_library_with_the_same_results()
    {
        torch.random.manual_seed(25);
        using var model = NewModel(0, "bernoulli", false);
        string withProbs = RepoPaths.NewTempFolder(), logitsOnly = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, withProbs);
        ExportResult result = VaeExporter.Export(model, logitsOnly, new ExportOptions { ProbabilitiesOutput = false });
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);
        using (var decoder = new InferenceSession(result.DecoderPath))
            Assert.Equal(["logits"], decoder.OutputMetadata.Keys);
        Assert.Contains("\"probs\"", File.ReadAllText(Path.Combine(withProbs, "model.json")));
        Assert.DoesNotContain("\"probs\"", File.ReadAllText(Path.Combine(logitsOnly, "model.json")));

        using var a = VaeModel.Load(withProbs);
        using var b = VaeModel.Load(logitsOnly);
        Assert.True(a.DecoderHasProbabilities);
        Assert.False(b.DecoderHasProbabilities);
        var random = new Random(5);
        float[] x = Enumerable.Range(0, 4 * 64).Select(_ => (float)random.NextDouble()).ToArray();
        // ONNX Runtime's sigmoid and the library's agree to a few float32 ulps; the likelihoods come from the same logits
        Assert.InRange(LayerParity.MaxAbsDifference(a.Reconstruct(x), b.Reconstruct(x)), 0, 1e-6);
        Assert.Equal(a.ReconstructionError(x), b.ReconstructionError(x));
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

    [Fact]
    public void Export_runs_torchsharp_single_threaded_and_restores_the_thread_count()
    {
        torch.random.manual_seed(24);
        using var model = NewModel(3, "bernoulli", false);
        int original = torch.get_num_threads();
        try
        {
            torch.set_num_threads(3);
            VaeExporter.Export(model, RepoPaths.NewTempFolder());
            Assert.Equal(3, torch.get_num_threads());
            Assert.Throws<ArgumentException>(() => VaeExporter.Export(model, RepoPaths.NewTempFolder(), null, zeros(40, 1, 8, 8), full(40, 5L, dtype: int64)));
            Assert.Equal(3, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    internal static TestConvVae NewModel(int classes, string likelihood, bool pixelLogvar) =>
        new TestConvVae(new VaeConfig
        {
            InputShape = [1, 8, 8],
            LatentSize = 3,
            Likelihood = likelihood == "bernoulli" ? Likelihood.Bernoulli : Likelihood.Gaussian,
        }, classes, pixelLogvar).WithRunningStatistics(5);
}
