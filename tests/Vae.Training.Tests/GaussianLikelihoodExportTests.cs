using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Losses;
using Vae.Training.Models;
using Vae.Training.Onnx;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>
/// A Gaussian decoder's p(x|z) survives export: the fixed σ travels as metadata and a learned per-pixel log-variance
/// as the decoder's <c>logvar</c> output, and Vae.Inference's likelihoods equal the training loss's (TorchSharp).
/// </summary>
public class GaussianLikelihoodExportTests
{
    private static (VaeModel Vae, float[] X, double[] Expected, double[] UnitSigma) ExportAndScore(VaeConfig config, Action<MlpVae>? prepare = null)
    {
        torch.random.manual_seed(5);
        using var model = new MlpVae(config);
        prepare?.Invoke(model);
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor x = rand(6, config.InputSize);
        var (mean, _) = model.Encode(x);
        Tensor decoded = model.Decode(mean).flatten(1);
        Tensor nll = Elbo.ReconstructionNll(model, decoded, x), unitSigma = Elbo.GaussianNll(decoded, x, 1.0);
        return (VaeModel.Load(folder), x.data<float>().ToArray(), Doubles(nll), Doubles(unitSigma));
    }

    [Fact]
    public void A_fixed_sigma_is_written_to_the_metadata_and_scores_equal_the_training_loss()
    {
        var (vae, x, expected, unitSigma) = ExportAndScore(new VaeConfig { InputShape = [12], HiddenSizes = [10], LatentSize = 3, Likelihood = Likelihood.Gaussian, GaussianSigma = 0.3 });
        using (vae)
        {
            Assert.Equal(0.3f, vae.Info.GaussianSigma);
            Assert.True(vae.PixelLogvar.IsEmpty);
            float[] errors = vae.ReconstructionError(x);
            AssertClose(expected, errors);
            Assert.True(Math.Abs(unitSigma[0] - errors[0]) > 1, $"σ = 0.3 and σ = 1 give {errors[0]} and {unitSigma[0]}: the test tells them apart");
        }
    }

    [Fact]
    public void A_learned_pixel_logvar_is_read_from_the_decoder_and_scores_equal_the_training_loss()
    {
        float[] pixelLogvar = Enumerable.Range(0, 12).Select(i => -2f + 0.3f * i).ToArray();
        var config = new VaeConfig { InputShape = [12], HiddenSizes = [10], LatentSize = 3, Likelihood = Likelihood.Gaussian, LearnVariance = true };
        var (vae, x, expected, unitSigma) = ExportAndScore(config, model =>
        {
            using var noGrad = no_grad();
            model.PixelLogvar!.copy_(tensor(pixelLogvar));
        });
        using (vae)
        {
            Assert.Equal(pixelLogvar, vae.PixelLogvar.ToArray());
            float[] errors = vae.ReconstructionError(x);
            AssertClose(expected, errors);
            Assert.True(Math.Abs(unitSigma[0] - errors[0]) > 1, $"learned variances and σ = 1 give {errors[0]} and {unitSigma[0]}: the test tells them apart");
        }
    }

    private static double[] Doubles(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    // float32 ONNX Runtime against float32 TorchSharp: the sums differ by an ulp or two (measured 4e-6 on 25); 1e-6 relative is eight float32 ulps, as the export check allows.
    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"sample {i}: library {actual[i]} vs training loss {expected[i]} (diff {Math.Abs(expected[i] - actual[i]):E2})");
    }
}
