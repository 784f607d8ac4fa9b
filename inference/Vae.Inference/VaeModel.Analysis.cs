using System.Buffers;

namespace Vae.Inference;

/// <summary>Anomaly scores, denoising and imputation of missing values.</summary>
public sealed partial class VaeModel
{
    /// <summary>
    /// Most draws <see cref="ScoreAnomalies(ReadOnlySpan{float}, Span{AnomalyScore}, int, long, ReadOnlySpan{int})"/> takes
    /// per sample: 100,000, twenty times the k = 5,000 Burda et al. (2016) evaluate the IWAE bound with. Each draw is one
    /// decoder run over the whole batch, so a larger count is a mistake that would run for hours, not a better estimate.
    /// </summary>
    public const int MaxAnomalySamples = 100_000;

    /// <summary>
    /// Scores each sample of <paramref name="x"/> (B × <see cref="InputSize"/>, any B) into <paramref name="scores"/> (B):
    /// −ELBO and the importance-weighted −log p(x) from <paramref name="samples"/> draws z ~ q(z|x) (seeded; 1 to
    /// <see cref="MaxAnomalySamples"/>), the analytic KL, and the squared reconstruction error. The samples are scored
    /// <see cref="RowsPerRun"/> at a time, the run starting at sample i drawing from seed <paramref name="seed"/> + i, and the
    /// draws are accumulated as they are made: memory grows neither with B nor with <paramref name="samples"/>.
    /// Allocates no managed memory.
    /// Hierarchical models are scored through every layer under their own prior instead (<see cref="VaeHierarchy.Score(ReadOnlySpan{float}, Span{AnomalyScore}, int, long)"/>,
    /// which allocates; the KL is then a Monte Carlo average).
    /// </summary>
    public void ScoreAnomalies(ReadOnlySpan<float> x, Span<AnomalyScore> scores, int samples = 1, long seed = 0, ReadOnlySpan<int> labels = default)
    {
        if (samples < 1 || samples > MaxAnomalySamples)
            throw new ArgumentException($"{nameof(samples)} is {samples}; expected 1 to {MaxAnomalySamples} draws z ~ q(z|x) per sample ({nameof(MaxAnomalySamples)}).", nameof(samples));
        Enter();
        try
        {
            int batch = CheckInput(x, labels, nameof(x), nameof(labels));
            InputChecks.Length(scores.Length, batch, nameof(scores), $"one score per sample");
            if (IsHierarchical)
            {
                RequireHierarchy(nameof(ScoreAnomalies)).Score(x, scores, samples, seed);
                return;
            }
            for (int start = 0; start < batch; start += RowsPerRun)
            {
                int rows = Math.Min(RowsPerRun, batch - start);
                ScoreRows(x.Slice(start * InputSize, rows * InputSize), scores.Slice(start, rows), samples, seed + start,
                          labels.IsEmpty ? default : labels.Slice(start, rows), rows);
            }
        }
        finally { Exit(); }
    }

    /// <summary>Scores up to <see cref="RowsPerRun"/> checked samples with one stream of draws from <paramref name="seed"/>.</summary>
    private void ScoreRows(ReadOnlySpan<float> x, Span<AnomalyScore> scores, int samples, long seed, ReadOnlySpan<int> labels, int batch)
    {
        int latent = batch * LatentSize;
        float[] codes = Rent(3 * latent + x.Length);
        double[] sums = ArrayPool<double>.Shared.Rent(4 * batch);
        try
        {
            Span<float> mean = codes.AsSpan(0, latent), logvar = codes.AsSpan(latent, latent), z = codes.AsSpan(2 * latent, latent);
            Span<float> decoded = codes.AsSpan(3 * latent, x.Length);
            // per sample: Σ −log p(x|z), and log Σ e^w over the log-weights w so far as max + log Σ e^(w − max)
            Span<double> nllSum = sums.AsSpan(0, batch), maxLogWeight = sums.AsSpan(batch, batch), scaledWeightSum = sums.AsSpan(2 * batch, batch);
            Span<double> priorMinusPosterior = sums.AsSpan(3 * batch, batch);
            nllSum.Clear();
            scaledWeightSum.Clear();
            maxLogWeight.Fill(double.NegativeInfinity);
            RunEncoder(x, labels, mean, logvar, batch);
            var noise = new GaussianNoise(seed);
            for (int s = 0; s < samples; s++)
            {
                for (int i = 0; i < batch; i++)
                {
                    double logRatio = 0; // log p(z) − log q(z|x); the log 2π terms cancel
                    for (int j = i * LatentSize; j < (i + 1) * LatentSize; j++)
                    {
                        float eps = noise.Next();
                        z[j] = mean[j] + MathF.Exp(0.5f * logvar[j]) * eps;
                        logRatio += -0.5 * z[j] * z[j] + 0.5 * eps * eps + 0.5 * logvar[j];
                    }
                    priorMinusPosterior[i] = logRatio;
                }
                RunDecoderRaw(z, labels, decoded, batch);
                for (int i = 0; i < batch; i++)
                {
                    double nll = Nll(x.Slice(i * InputSize, InputSize), decoded.Slice(i * InputSize, InputSize));
                    nllSum[i] += nll;
                    Likelihoods.AddLogWeight(-nll + priorMinusPosterior[i], ref maxLogWeight[i], ref scaledWeightSum[i]);
                }
            }
            RunDecoder(mean, labels, decoded, batch);
            for (int i = 0; i < batch; i++)
            {
                double kl = Likelihoods.GaussianKl(mean.Slice(i * LatentSize, LatentSize), logvar.Slice(i * LatentSize, LatentSize));
                double reconstruction = nllSum[i] / samples;
                double squared = 0;
                for (int j = i * InputSize; j < (i + 1) * InputSize; j++) { double d = x[j] - decoded[j]; squared += d * d; }
                double iwae = -(maxLogWeight[i] + Math.Log(scaledWeightSum[i] / samples)); // −log (1/k Σ e^w)
                scores[i] = new AnomalyScore((float)(reconstruction + kl), (float)iwae, (float)reconstruction, (float)kl, (float)squared);
            }
        }
        finally
        {
            Return(codes);
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    /// <summary>Scores each sample of <paramref name="x"/>; returns a new array of B scores.</summary>
    public AnomalyScore[] ScoreAnomalies(float[] x, int samples = 1, long seed = 0, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var scores = new AnomalyScore[InputChecks.BatchOf(x.Length, InputSize, nameof(x))];
        ScoreAnomalies(x, scores, samples, seed, labels);
        return scores;
    }

    /// <summary>
    /// Writes, for each sample of <paramref name="x"/> (B × <see cref="InputSize"/>), −log p(x | z = μ) into
    /// <paramref name="errors"/> (B): the reconstruction term of the ELBO at the posterior mean, deterministic (no
    /// sampling). Bernoulli models: binary cross-entropy summed over values, computed from the decoder's logits (exact
    /// even where the probability rounds to 0 or 1 in float32); Gaussian models: the Gaussian negative log-likelihood
    /// with the model's σ. Higher means less like the training data. Allocates no managed memory.
    /// </summary>
    public void ReconstructionError(ReadOnlySpan<float> x, Span<float> errors, ReadOnlySpan<int> labels = default)
    {
        Enter();
        try
        {
            int batch = CheckInput(x, labels, nameof(x), nameof(labels));
            InputChecks.Length(errors.Length, batch, nameof(errors), $"one error per sample");
            int latent = batch * LatentSize;
            float[] codes = Rent(2 * latent + x.Length);
            try
            {
                Span<float> mean = codes.AsSpan(0, latent), logvar = codes.AsSpan(latent, latent), decoded = codes.AsSpan(2 * latent, x.Length);
                RunEncoder(x, labels, mean, logvar, batch);
                RunDecoderRaw(mean, labels, decoded, batch);
                for (int i = 0; i < batch; i++)
                    errors[i] = (float)Nll(x.Slice(i * InputSize, InputSize), decoded.Slice(i * InputSize, InputSize));
            }
            finally { Return(codes); }
        }
        finally { Exit(); }
    }

    /// <summary>−log p(x | z = μ) per sample; returns a new array of B errors.</summary>
    public float[] ReconstructionError(float[] x, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var errors = new float[InputChecks.BatchOf(x.Length, InputSize, nameof(x))];
        ReconstructionError(x, errors, labels);
        return errors;
    }

    /// <summary>
    /// Denoises a batch: encodes the noisy input, decodes the posterior mean, and repeats on the result
    /// <paramref name="iterations"/> − 1 more times (each pass pulls further towards what the model has learned).
    /// <paramref name="output"/> has x's length; it may be the same memory as x. Allocates no managed memory.
    /// </summary>
    public void Denoise(ReadOnlySpan<float> x, Span<float> output, int iterations = 1, ReadOnlySpan<int> labels = default)
    {
        InputChecks.Positive(iterations, nameof(iterations));
        Enter();
        try
        {
            int batch = CheckInput(x, labels, nameof(x), nameof(labels));
            InputChecks.Length(output.Length, x.Length, nameof(output), $"same as x: batch {batch} × {InputSize}");
            ReconstructChecked(x, labels, output, batch);
            for (int n = 1; n < iterations; n++) ReconstructChecked(output, labels, output, batch);
        }
        finally { Exit(); }
    }

    /// <summary>Denoises a batch; returns a new array the size of <paramref name="x"/>.</summary>
    public float[] Denoise(float[] x, int iterations = 1, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var output = new float[x.Length];
        Denoise(x, output, iterations, labels);
        return output;
    }

    /// <summary>
    /// Fills in missing values. <paramref name="observed"/> (same length as x) is true where x is known; missing
    /// entries of x are ignored (they may be NaN). Missing entries start at the mean of the sample's known values,
    /// then <paramref name="iterations"/> times the current guess is reconstructed and the missing entries are
    /// replaced by the reconstruction, known entries kept. <paramref name="output"/> (x's length) receives the
    /// completed batch. Allocates no managed memory.
    /// </summary>
    public void Impute(ReadOnlySpan<float> x, ReadOnlySpan<bool> observed, Span<float> output, int iterations = 10, ReadOnlySpan<int> labels = default)
    {
        InputChecks.Positive(iterations, nameof(iterations));
        Enter();
        try
        {
            int batch = InputChecks.BatchOf(x.Length, InputSize, nameof(x));
            InputChecks.Length(observed.Length, x.Length, nameof(observed), $"one flag per value of x: batch {batch} × {InputSize}");
            InputChecks.Length(output.Length, x.Length, nameof(output), $"same as x: batch {batch} × {InputSize}");
            InputChecks.Labels(labels, batch, Classes, nameof(labels));
            for (int i = 0; i < x.Length; i++)
                if (observed[i] && !allowNonFinite && !float.IsFinite(x[i]))
                    throw new ArgumentException($"x[{i}] is {x[i]} and marked observed; expected finite observed values (mark it missing in {nameof(observed)}).", nameof(x));
            StartImputation(x, observed, output, batch);
            float[] reconstruction = Rent(x.Length);
            try
            {
                Span<float> guess = reconstruction.AsSpan(0, x.Length);
                for (int n = 0; n < iterations; n++)
                {
                    ReconstructChecked(output, labels, guess, batch);
                    for (int i = 0; i < x.Length; i++)
                        if (!observed[i]) output[i] = guess[i];
                }
            }
            finally { Return(reconstruction); }
        }
        finally { Exit(); }
    }

    /// <summary>Fills in missing values; returns a new array the size of <paramref name="x"/>.</summary>
    public float[] Impute(float[] x, bool[] observed, int iterations = 10, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(observed);
        var output = new float[x.Length];
        Impute(x, observed, output, iterations, labels);
        return output;
    }

    private void StartImputation(ReadOnlySpan<float> x, ReadOnlySpan<bool> observed, Span<float> output, int batch)
    {
        for (int b = 0; b < batch; b++)
        {
            int start = b * InputSize;
            double sum = 0;
            int known = 0;
            for (int i = start; i < start + InputSize; i++)
                if (observed[i]) { sum += x[i]; known++; }
            float fill = known > 0 ? (float)(sum / known) : 0f;
            for (int i = start; i < start + InputSize; i++) output[i] = observed[i] ? x[i] : fill;
        }
    }

    /// <summary>−log p(x|z) from the raw decoder output (logits or means).</summary>
    private double Nll(ReadOnlySpan<float> x, ReadOnlySpan<float> raw) => Info.OutputKind == OutputKind.Logits
        ? Likelihoods.BernoulliNll(x, raw)
        : pixelLogvar is not null ? Likelihoods.GaussianNll(x, raw, pixelLogvar) : Likelihoods.GaussianNll(x, raw, Info.GaussianSigma);
}
