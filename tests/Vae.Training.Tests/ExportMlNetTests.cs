using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>The exported graphs load and run in ML.NET's ApplyOnnxModel and agree with TorchSharp.</summary>
public class ExportMlNetTests
{
    private const int Latent = 5;

    private sealed class ImageRow
    {
        [VectorType(784)] public float[] x { get; set; } = [];
    }

    private sealed class Posterior
    {
        [VectorType(Latent)] public float[] mean { get; set; } = [];
        [VectorType(Latent)] public float[] logvar { get; set; } = [];
    }

    private sealed class LatentRow
    {
        [VectorType(Latent)] public float[] z { get; set; } = [];
    }

    private sealed class Decoded
    {
        [VectorType(784)] public float[] logits { get; set; } = [];
    }

    [Fact]
    public void Encoder_and_decoder_run_in_apply_onnx_model()
    {
        torch.random.manual_seed(61);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [32], LatentSize = Latent, Activation = "gelu" });
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        model.eval();
        using var noGrad = no_grad();
        using var x = rand(4, 784);
        var (mean, logvar) = model.Encode(x);
        using var logits = model.Decode(mean);

        var ml = new MLContext(seed: 1);
        var images = ml.Data.LoadFromEnumerable(Rows(x).Select(r => new ImageRow { x = r }));
        using var encoder = ml.Transforms.ApplyOnnxModel(["mean", "logvar"], ["x"], Path.Combine(folder, VaeModel.EncoderFile)).Fit(images);
        var posteriors = ml.Data.CreateEnumerable<Posterior>(encoder.Transform(images), reuseRowObject: false).ToArray();
        Assert.Equal(4, posteriors.Length);
        Assert.InRange(LayerParity.MaxAbsDifference(mean.data<float>().ToArray(), posteriors.SelectMany(p => p.mean).ToArray()), 0, LayerParity.Bound);
        Assert.InRange(LayerParity.MaxAbsDifference(logvar.data<float>().ToArray(), posteriors.SelectMany(p => p.logvar).ToArray()), 0, LayerParity.Bound);

        var latents = ml.Data.LoadFromEnumerable(posteriors.Select(p => new LatentRow { z = p.mean }));
        using var decoder = ml.Transforms.ApplyOnnxModel(["logits"], ["z"], Path.Combine(folder, VaeModel.DecoderFile)).Fit(latents);
        var decoded = ml.Data.CreateEnumerable<Decoded>(decoder.Transform(latents), reuseRowObject: false).SelectMany(d => d.logits).ToArray();
        double worst = LayerParity.MaxAbsDifference(logits.data<float>().ToArray(), decoded);
        Assert.True(worst <= 1e-5 + 1e-6 * logits.abs().max().item<float>(), $"decoder through ML.NET differs by {worst:G3}");
    }

    private sealed class LabelledImage
    {
        [VectorType(1, 8, 8)] public float[] x { get; set; } = [];
        [VectorType(10)] public float[] y { get; set; } = [];
    }

    private sealed class SmallPosterior
    {
        [VectorType(3)] public float[] mean { get; set; } = [];
    }

    [Fact]
    public void Conditional_conv_encoder_with_two_inputs_runs_in_apply_onnx_model()
    {
        torch.random.manual_seed(62);
        using var model = ExportVaeTests.NewModel(10, "bernoulli", false);
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        using var noGrad = no_grad();
        using var x = rand(5, 1, 8, 8);
        using var y = OnnxExportVerifier.OneHot(tensor(new long[] { 3, 1, 4, 1, 5 }), 10);
        var (mean, _) = model.Encode(x, y);

        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(Rows(x.reshape(5, -1)).Zip(Rows(y)).Select(p => new LabelledImage { x = p.First, y = p.Second }));
        using var encoder = ml.Transforms.ApplyOnnxModel(["mean"], ["x", "y"], Path.Combine(folder, VaeModel.EncoderFile)).Fit(rows);
        var means = ml.Data.CreateEnumerable<SmallPosterior>(encoder.Transform(rows), reuseRowObject: false).SelectMany(p => p.mean).ToArray();
        Assert.InRange(LayerParity.MaxAbsDifference(mean.data<float>().ToArray(), means), 0, LayerParity.Bound);
    }

    private static IEnumerable<float[]> Rows(Tensor t)
    {
        float[] flat = t.contiguous().data<float>().ToArray();
        int width = (int)t.shape[1];
        for (int r = 0; r < t.shape[0]; r++) yield return flat.AsSpan(r * width, width).ToArray();
    }
}
