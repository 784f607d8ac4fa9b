using TorchSharp;
using Vae.Inference;
using Vae.Training.Data;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>How far noisy inputs are from the clean ones before and after the model (mean squared error per value).</summary>
/// <param name="Sigma">σ of the added Gaussian noise.</param>
/// <param name="NoisyMse">The noisy inputs against the clean ones.</param>
/// <param name="DenoisedMse">The decoded posterior means of the noisy inputs against the clean ones.</param>
public sealed record DenoisingFigures(double Sigma, double NoisyMse, double DenoisedMse);

/// <summary>
/// The denoising test of <c>vae evaluate --noise σ</c>: each test value gets N(0, σ²) noise from the seeded
/// <see cref="GaussianNoise"/> — the draws <c>vae reconstruct --noise</c> makes — clipped to [0, 1] for a Bernoulli model's
/// data; the model encodes the noisy input and decodes its posterior mean (probabilities for Bernoulli).
/// </summary>
public static class DenoisingEvaluation
{
    /// <exception cref="ArgumentException">σ is not a finite value &gt; 0, or the data does not fit the model.</exception>
    public static DenoisingFigures Measure(VaeModule model, Dataset test, double sigma, long seed, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        bool bernoulli = model.Config.Likelihood == Likelihood.Bernoulli;
        var (noisy, noisyError) = Noisy(test, sigma, seed, bernoulli);
        using TensorSet clean = TensorSet.From(test, model, "test data");
        using TensorSet corrupted = TensorSet.From(new Dataset(noisy, test.SampleShape, test.Labels, test.ClassCount), model, "noisy test data");
        model.eval();
        using var noGrad = no_grad();
        double denoisedError = 0;
        for (long start = 0; start < clean.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(batchSize, clean.Count - start);
            var (x, y) = corrupted.Slice(start, n);
            var (mean, _) = model.Encode(x, y);
            Tensor output = model.Decode(mean, y).flatten(1);
            if (bernoulli) output = output.sigmoid();
            denoisedError += (output - clean.X.narrow(0, start, n).flatten(1)).pow(2).sum().ToDouble();
        }
        return new DenoisingFigures(sigma, noisyError / noisy.Length, denoisedError / noisy.Length);
    }

    /// <summary>The same figures for an exported pair, through ONNX Runtime (<see cref="VaeModel.Denoise(float[], int, int[])"/>, one pass).</summary>
    /// <exception cref="ArgumentException">σ is not a finite value &gt; 0, or the data does not fit the pair.</exception>
    public static DenoisingFigures Measure(VaeModel pair, Dataset test, double sigma, long seed)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(test);
        var (noisy, noisyError) = Noisy(test, sigma, seed, pair.Info.OutputKind == OutputKind.Logits);
        float[] denoised = pair.Denoise(noisy, 1, pair.Classes > 0 ? test.Labels : null);
        double denoisedError = 0;
        for (int i = 0; i < denoised.Length; i++) denoisedError += (denoised[i] - test.Features[i]) * (double)(denoised[i] - test.Features[i]);
        return new DenoisingFigures(sigma, noisyError / noisy.Length, denoisedError / noisy.Length);
    }

    /// <summary>The test values plus N(0, σ²) noise from the seeded <see cref="GaussianNoise"/> (clipped to [0, 1] for a Bernoulli model's
    /// data), and their summed squared distance from the clean values.</summary>
    private static (float[] Noisy, double SquaredError) Noisy(Dataset test, double sigma, long seed, bool unitInterval)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentException($"{nameof(sigma)} is {sigma}; expected a finite σ > 0.", nameof(sigma));
        var noise = new GaussianNoise(seed);
        float[] noisy = new float[test.Features.Length];
        double error = 0;
        for (int i = 0; i < noisy.Length; i++)
        {
            float v = test.Features[i] + (float)sigma * noise.Next();
            noisy[i] = unitInterval ? Math.Clamp(v, 0f, 1f) : v;
            error += (noisy[i] - test.Features[i]) * (double)(noisy[i] - test.Features[i]);
        }
        return (noisy, error);
    }
}
