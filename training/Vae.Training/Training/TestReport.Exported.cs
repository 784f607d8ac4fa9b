using System.Diagnostics;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Training.Training;

/// <summary>The test-time figures of an exported pair, through ONNX Runtime: no checkpoint needed.</summary>
public sealed partial record TestReport
{
    /// <summary>
    /// Evaluates an exported pair on <paramref name="test"/> with the graphs alone, as <see cref="Evaluate(Models.VaeModule, Dataset, int, long, int, Action{long}?)"/>
    /// evaluates a checkpoint: for a Bernoulli likelihood the set is binarised once with <paramref name="seed"/> (its own
    /// seeded stream, so the binarisation differs from the checkpoint's, and the figures agree within sampling error);
    /// −ELBO with one z per input, the importance-sampled −log p(x) with <paramref name="k"/> draws
    /// (<see cref="VaeModel.ScoreAnomalies(ReadOnlySpan{float}, Span{AnomalyScore}, int, long, ReadOnlySpan{int})"/>), active
    /// units from the encoder's means, and the reconstruction error from the posterior mean on the raw values.
    /// <paramref name="test"/> must hold the model's inputs (normalised as <see cref="VaeModelInfo.Normalization"/> says),
    /// with labels for a conditional model. <paramref name="onProgress"/> receives the samples whose NLL is done.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not 1 to <see cref="VaeModel.MaxAnomalySamples"/>.</exception>
    /// <exception cref="ArgumentException">The samples do not fit the model, or a conditional model's labels are missing.</exception>
    public static TestReport Evaluate(VaeModel model, Dataset test, int k, long seed, Action<long>? onProgress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, VaeModel.MaxAnomalySamples);
        if (test.SampleSize != model.InputSize)
            throw new ArgumentException($"the test samples have {test.SampleSize} values; the model's input has {model.InputSize} ([{string.Join(", ", model.Info.InputShape)}]).", nameof(test));
        int[]? labels = model.Classes == 0 ? null
            : test.Labels ?? throw new ArgumentException($"the model is conditional ({model.Classes} classes) and the test data has no labels.", nameof(test));
        var clock = Stopwatch.StartNew();
        float[] raw = test.Features;
        bool binarize = model.Info.OutputKind == OutputKind.Logits;
        if (binarize) test.CheckUnitInterval("test data");
        float[] x = binarize ? Binarize(raw, seed) : raw;

        AnomalyScore[] once = model.ScoreAnomalies(x, samples: 1, seed, labels);
        double? unbinarized = binarize ? model.ScoreAnomalies(raw, samples: 1, seed, labels).Average(s => (double)s.NegativeElbo) : null;
        int active = CountActiveUnits(model.Encode(x, labels).Mean, model.LatentSize);
        float[] decoded = model.Reconstruct(raw, labels);
        double mse = 0;
        for (int i = 0; i < raw.Length; i++) mse += (raw[i] - decoded[i]) * (double)(raw[i] - decoded[i]);

        double nll = 0;
        int count = test.Count, size = model.InputSize;
        var scores = new AnomalyScore[VaeModel.RowsPerRun];
        for (int start = 0; start < count; start += VaeModel.RowsPerRun)
        {
            int n = Math.Min(VaeModel.RowsPerRun, count - start);
            model.ScoreAnomalies(x.AsSpan(start * size, n * size), scores.AsSpan(0, n), k, seed + start, labels is null ? default : labels.AsSpan(start, n));
            for (int i = 0; i < n; i++) nll += scores[i].NegativeLogLikelihood;
            onProgress?.Invoke(start + n);
        }
        return new TestReport
        {
            NegElbo = once.Average(s => (double)s.NegativeElbo), Reconstruction = once.Average(s => (double)s.ReconstructionNll),
            Kl = once.Average(s => (double)s.Kl), Nll = nll / count, K = k, ActiveUnits = active, LatentSize = model.LatentSize,
            ReconstructionMse = mse / raw.Length, TestCount = count, Binarized = binarize, NegElboUnbinarized = unbinarized,
            Seed = seed, Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Each value becomes 1 with probability equal to it, from a generator seeded with <paramref name="seed"/>.</summary>
    private static float[] Binarize(float[] x, long seed)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var binary = new float[x.Length];
        for (int i = 0; i < x.Length; i++) binary[i] = random.NextDouble() < x[i] ? 1f : 0f;
        return binary;
    }

    /// <summary>Latent units whose posterior mean has variance &gt; 0.01 over the set (Burda et al., 2016), as
    /// <see cref="Evaluation.ActiveUnits"/> counts them.</summary>
    private static int CountActiveUnits(float[] means, int latent)
    {
        int n = means.Length / latent, active = 0;
        for (int j = 0; j < latent; j++)
        {
            double sum = 0, squares = 0;
            for (int i = 0; i < n; i++) sum += means[i * latent + j];
            double mean = sum / n;
            for (int i = 0; i < n; i++) squares += (means[i * latent + j] - mean) * (means[i * latent + j] - mean);
            if (squares / n > 0.01) active++;
        }
        return active;
    }
}
