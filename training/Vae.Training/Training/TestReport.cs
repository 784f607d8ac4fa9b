using System.Diagnostics;
using System.Text.Json.Serialization;
using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>
/// The test-time figures of one model on one test set (nats per sample). As JSON, a figure that is
/// not finite (a diverged or broken model) is written as the string "NaN", "Infinity" or "-Infinity", which
/// System.Text.Json reads back; plain JSON numbers cannot hold them.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed partial record TestReport
{
    /// <summary>−ELBO (β = 1, one seeded z per input) on the evaluated test set.</summary>
    [JsonPropertyName("neg_elbo")] public double NegElbo { get; init; }

    /// <summary>Reconstruction term −E_q log p(x|z) of <see cref="NegElbo"/>.</summary>
    [JsonPropertyName("reconstruction")] public double Reconstruction { get; init; }

    /// <summary>KL term of <see cref="NegElbo"/>.</summary>
    [JsonPropertyName("kl")] public double Kl { get; init; }

    /// <summary>Importance-sampled −log p(x) with <see cref="K"/> samples (Burda et al., 2016).</summary>
    [JsonPropertyName("nll")] public double Nll { get; init; }

    /// <summary>Importance samples per input.</summary>
    [JsonPropertyName("k")] public int K { get; init; }

    /// <summary>Latent units with posterior-mean variance &gt; 0.01.</summary>
    [JsonPropertyName("active_units")] public int ActiveUnits { get; init; }

    /// <summary>Latent size.</summary>
    [JsonPropertyName("latent_size")] public int LatentSize { get; init; }

    /// <summary>Mean squared error per pixel between x and the decoded posterior mean (probabilities for Bernoulli).</summary>
    [JsonPropertyName("reconstruction_mse")] public double ReconstructionMse { get; init; }

    /// <summary>Test samples evaluated.</summary>
    [JsonPropertyName("test_count")] public long TestCount { get; init; }

    /// <summary>True when the test set was binarised once with <see cref="Seed"/> (Bernoulli likelihood).</summary>
    [JsonPropertyName("binarized")] public bool Binarized { get; init; }

    /// <summary>Bernoulli models: −ELBO on the [0, 1] pixels themselves (the figure the PyTorch example prints); null otherwise.</summary>
    [JsonPropertyName("neg_elbo_unbinarized")] public double? NegElboUnbinarized { get; init; }

    /// <summary>Seed of the binarisation and of the z samples.</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; }

    /// <summary>Wall-clock seconds of the evaluation.</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    /// <summary>The JSON names of the figures that are NaN or infinite, in the order of the report; empty for a sound model.</summary>
    public IReadOnlyList<string> NonFiniteFigures() =>
        new (string Name, double? Value)[]
        {
            ("neg_elbo", NegElbo), ("reconstruction", Reconstruction), ("kl", Kl), ("nll", Nll),
            ("reconstruction_mse", ReconstructionMse), ("neg_elbo_unbinarized", NegElboUnbinarized),
        }.Where(f => f.Value is { } v && !double.IsFinite(v)).Select(f => f.Name).ToList();

    /// <summary>
    /// Evaluates <paramref name="model"/> on <paramref name="test"/>: for a Bernoulli likelihood the set is first
    /// binarised once with <paramref name="seed"/> (so the NLL is that of binarised MNIST), and the −ELBO on the raw
    /// pixels is reported too. <paramref name="onProgress"/> receives the samples whose NLL is done.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> or <paramref name="batchSize"/> is less than 1.</exception>
    public static TestReport Evaluate(VaeModule model, Dataset test, int k, long seed, int batchSize = 500, Action<long>? onProgress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var clock = Stopwatch.StartNew();
        using TensorSet raw = TensorSet.From(test, model, "test data");
        bool binarize = model.Config.Likelihood == Likelihood.Bernoulli;
        using TensorSet set = binarize ? raw.Binarized(seed) : new TensorSet(raw.X.alias(), raw.Y?.alias());
        SetMetrics elbo = Evaluation.NegElbo(model, set, batchSize, seed);
        double? unbinarized = binarize ? Evaluation.NegElbo(model, raw, batchSize, seed).NegElbo : null;
        int active = Evaluation.ActiveUnits(model, set, batchSize);
        double mse = MeanSquaredError(model, raw, batchSize);
        double nll = Evaluation.ImportanceNll(model, set, k, seed, onProgress: onProgress);
        return new TestReport
        {
            NegElbo = elbo.NegElbo, Reconstruction = elbo.Reconstruction, Kl = elbo.Kl, Nll = nll, K = k,
            ActiveUnits = active, LatentSize = model.Config.LatentSize, ReconstructionMse = mse, TestCount = set.Count,
            Binarized = binarize, NegElboUnbinarized = unbinarized, Seed = seed, Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static double MeanSquaredError(VaeModule model, TensorSet data, int batchSize)
    {
        model.eval();
        using var noGrad = no_grad();
        double total = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var (x, y) = data.Slice(start, Math.Min(batchSize, data.Count - start));
            var (mean, _) = model.Encode(x, y);
            Tensor output = model.Decode(mean, y).flatten(1);
            if (model.Config.Likelihood == Likelihood.Bernoulli) output = output.sigmoid();
            total += (output - x.flatten(1)).pow(2).mean([1]).sum().ToDouble();
        }
        return total / data.Count;
    }
}
