using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>Prior sampling, ancestral generation and likelihood scoring through every layer.</summary>
public sealed partial class VaeHierarchy
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>
    /// Fills <paramref name="zTop"/> (B × top latent size) with draws from the top layer's prior, reproducible from
    /// <paramref name="seed"/>: N(0, temperature² I), or for the VampPrior a uniformly chosen component k and
    /// μ_k + temperature·σ_k·ε.
    /// </summary>
    public void SamplePrior(Span<float> zTop, long seed, float temperature = 1f)
    {
        ThrowIfDisposed();
        CheckTemperature(temperature);
        int top = LatentSizes[^1];
        InputChecks.BatchOf(zTop.Length, top, nameof(zTop));
        var noise = new GaussianNoise(seed);
        var choice = new ComponentChoice(seed);
        SamplePrior(zTop, ref noise, ref choice, temperature);
    }

    /// <summary>Draws <paramref name="count"/> z_L from the prior; returns a new array of count × top latent size.</summary>
    public float[] SamplePrior(int count, long seed, float temperature = 1f)
    {
        InputChecks.Positive(count, nameof(count));
        var z = new float[InputChecks.Total(nameof(count), "count × top latent size", count, LatentSizes[^1])];
        SamplePrior(z, seed, temperature);
        return z;
    }

    /// <summary>
    /// Ancestral samples into <paramref name="output"/> (B × <see cref="InputSize"/>): z_L from the prior, each z_l ~ p(z_l | z_{l+1})
    /// with its noise scaled by <paramref name="temperature"/>, then the mean of p(x | z_1) (probabilities for Bernoulli models).
    /// Reproducible from <paramref name="seed"/>.
    /// </summary>
    public void Generate(Span<float> output, long seed, float temperature = 1f)
    {
        ThrowIfDisposed();
        CheckTemperature(temperature);
        int batch = InputChecks.BatchOf(output.Length, InputSize, nameof(output));
        var noise = new GaussianNoise(seed);
        var choice = new ComponentChoice(seed);
        float[] z = new float[batch * LatentSizes[^1]];
        SamplePrior(z, ref noise, ref choice, temperature);
        for (int l = Layers - 1; l >= 1; l--)
        {
            float[][] p = Run(conditionals[l - 1], VaeGraphNames.Z, z, batch, LatentSizes[l], VaeGraphNames.Mean, VaeGraphNames.Logvar);
            z = new float[p[0].Length];
            for (int i = 0; i < z.Length; i++) z[i] = p[0][i] + temperature * MathF.Exp(0.5f * p[1][i]) * noise.Next();
        }
        DecodeData(z, batch, output);
    }

    /// <summary>Generates <paramref name="count"/> samples; returns a new array of count × <see cref="InputSize"/>.</summary>
    public float[] Generate(int count, long seed = 0, float temperature = 1f)
    {
        InputChecks.Positive(count, nameof(count));
        var output = new float[InputChecks.Total(nameof(count), "count × input size", count, InputSize)];
        Generate(output, seed, temperature);
        return output;
    }

    /// <summary>
    /// Scores each sample of <paramref name="x"/> (B × <see cref="InputSize"/>) through the whole hierarchy with
    /// <paramref name="samples"/> seeded draws z_1 ~ q(z_1|x), z_l ~ q(z_l|z_{l−1}): log w = log p(x|z_1) + Σ_l log p(z_l|z_{l+1})
    /// − Σ_l log q(z_l|·), with log p(z_L) under the model's prior. <see cref="AnomalyScore.NegativeLogLikelihood"/> is
    /// −log (1/k) Σ w (the IWAE bound, Burda et al. 2016), <see cref="AnomalyScore.Kl"/> the Monte Carlo KL of all layers,
    /// averaged over the draws, and <see cref="AnomalyScore.SquaredError"/> that of the reconstruction along the mean path
    /// (what the pair's Reconstruct gives).
    /// </summary>
    public void Score(ReadOnlySpan<float> x, Span<AnomalyScore> scores, int samples = 1, long seed = 0)
    {
        ThrowIfDisposed();
        if (samples < 1 || samples > VaeModel.MaxAnomalySamples)
            throw new ArgumentException($"{nameof(samples)} is {samples}; expected 1 to {VaeModel.MaxAnomalySamples} draws per sample ({nameof(VaeModel)}.{nameof(VaeModel.MaxAnomalySamples)}).", nameof(samples));
        int batch = InputChecks.BatchOf(x.Length, InputSize, nameof(x));
        InputChecks.Finite(x, nameof(x));
        InputChecks.Length(scores.Length, batch, nameof(scores), $"one score per sample");
        float[] input = x.ToArray();
        float[][] q1 = Run(encoders[0], VaeGraphNames.X, input, batch, InputSize, VaeGraphNames.Mean, VaeGraphNames.Logvar);
        var nllSum = new double[batch];
        var klSum = new double[batch];
        var maxLogWeight = new double[batch];
        var scaledWeightSum = new double[batch];
        Array.Fill(maxLogWeight, double.NegativeInfinity);
        var noise = new GaussianNoise(seed);
        var logQ = new double[batch];
        var logP = new double[batch];
        var z = new float[Layers][];
        for (int s = 0; s < samples; s++)
        {
            Array.Clear(logQ);
            Array.Clear(logP);
            float[][] q = q1;
            for (int l = 1; l <= Layers; l++)
            {
                if (l > 1) q = Run(encoders[l - 1], VaeGraphNames.Z, z[l - 2], batch, LatentSizes[l - 2], VaeGraphNames.Mean, VaeGraphNames.Logvar);
                z[l - 1] = Draw(q[0], q[1], LatentSizes[l - 1], ref noise, logQ);
            }
            AddLogPrior(z[^1], batch, logP);
            for (int l = Layers; l >= 2; l--)
            {
                float[][] p = Run(conditionals[l - 2], VaeGraphNames.Z, z[l - 1], batch, LatentSizes[l - 1], VaeGraphNames.Mean, VaeGraphNames.Logvar);
                AddLogDensity(z[l - 2], p[0], p[1], LatentSizes[l - 2], logP);
            }
            float[] raw = Run(data, VaeGraphNames.Z, z[0], batch, LatentSizes[0], VaeGraphNames.DecoderOutput(Info.OutputKind))[0];
            for (int i = 0; i < batch; i++)
            {
                double nll = Nll(x.Slice(i * InputSize, InputSize), raw.AsSpan(i * InputSize, InputSize));
                nllSum[i] += nll;
                klSum[i] += logQ[i] - logP[i];
                Likelihoods.AddLogWeight(-nll + logP[i] - logQ[i], ref maxLogWeight[i], ref scaledWeightSum[i]);
            }
        }
        float[] reconstruction = new float[x.Length];
        DecodeMean(MeanPathTop(q1[0], batch), batch, reconstruction);
        for (int i = 0; i < batch; i++)
        {
            double squared = 0;
            for (int j = i * InputSize; j < (i + 1) * InputSize; j++) { double d = x[j] - reconstruction[j]; squared += d * d; }
            double recon = nllSum[i] / samples, kl = klSum[i] / samples;
            double iwae = -(maxLogWeight[i] + Math.Log(scaledWeightSum[i] / samples));
            scores[i] = new AnomalyScore((float)(recon + kl), (float)iwae, (float)recon, (float)kl, (float)squared);
        }
    }

    /// <summary>Scores each sample of <paramref name="x"/>; returns a new array of B scores.</summary>
    public AnomalyScore[] Score(float[] x, int samples = 1, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        var scores = new AnomalyScore[InputChecks.BatchOf(x.Length, InputSize, nameof(x))];
        Score(x, scores, samples, seed);
        return scores;
    }

    /// <summary>log p(z_L) per row of <paramref name="zTop"/> (B × top latent size): N(0, I) or the VampPrior mixture (1/K) Σ_k N(z; μ_k, σ_k²).</summary>
    public double[] LogPrior(ReadOnlySpan<float> zTop)
    {
        ThrowIfDisposed();
        int batch = InputChecks.BatchOf(zTop.Length, LatentSizes[^1], nameof(zTop));
        var logP = new double[batch];
        AddLogPrior(zTop, batch, logP);
        return logP;
    }

    private void SamplePrior(Span<float> z, ref GaussianNoise noise, ref ComponentChoice choice, float temperature)
    {
        int top = LatentSizes[^1];
        if (priorMean is null)
        {
            noise.Fill(z, temperature);
            return;
        }
        int k = PriorComponents;
        for (int b = 0; b < z.Length / top; b++)
        {
            int c = choice.Next(k);
            for (int j = 0; j < top; j++)
                z[b * top + j] = priorMean[c * top + j] + temperature * MathF.Exp(0.5f * priorLogvar![c * top + j]) * noise.Next();
        }
    }

    private void AddLogPrior(ReadOnlySpan<float> z, int batch, double[] logP)
    {
        int top = LatentSizes[^1];
        if (priorMean is null)
        {
            for (int i = 0; i < batch; i++)
            {
                double sum = 0;
                for (int j = i * top; j < (i + 1) * top; j++) sum += z[j] * (double)z[j] + Log2Pi;
                logP[i] += -0.5 * sum;
            }
            return;
        }
        int k = PriorComponents;
        for (int i = 0; i < batch; i++)
        {
            double max = double.NegativeInfinity, scaled = 0;
            for (int c = 0; c < k; c++)
                Likelihoods.AddLogWeight(LogDensity(z.Slice(i * top, top), priorMean.AsSpan(c * top, top), priorLogvar.AsSpan(c * top, top)), ref max, ref scaled);
            logP[i] += max + Math.Log(scaled / k);
        }
    }

    // log p(z | mean, logvar) per row, added to logP
    private static void AddLogDensity(float[] z, float[] mean, float[] logvar, int width, double[] logP)
    {
        for (int i = 0; i < logP.Length; i++)
            logP[i] += LogDensity(z.AsSpan(i * width, width), mean.AsSpan(i * width, width), logvar.AsSpan(i * width, width));
    }

    private static double LogDensity(ReadOnlySpan<float> z, ReadOnlySpan<float> mean, ReadOnlySpan<float> logvar)
    {
        double sum = 0;
        for (int j = 0; j < z.Length; j++)
        {
            double d = z[j] - (double)mean[j];
            sum += d * d * Math.Exp(-logvar[j]) + logvar[j] + Log2Pi;
        }
        return -0.5 * sum;
    }

    // z = mean + e^{logvar/2} ε, adding log q(z) = −½ Σ (ε² + logvar + log 2π) per row
    private static float[] Draw(float[] mean, float[] logvar, int width, ref GaussianNoise noise, double[] logQ)
    {
        var z = new float[mean.Length];
        for (int i = 0; i < z.Length; i++)
        {
            float eps = noise.Next();
            z[i] = mean[i] + MathF.Exp(0.5f * logvar[i]) * eps;
            logQ[i / width] += -0.5 * (eps * (double)eps + logvar[i] + Log2Pi);
        }
        return z;
    }

    // the top layer's posterior mean with every layer below at its mean
    private float[] MeanPathTop(float[] mean1, int batch)
    {
        float[] h = mean1;
        for (int l = 2; l <= Layers; l++) h = Run(encoders[l - 1], VaeGraphNames.Z, h, batch, LatentSizes[l - 2], VaeGraphNames.Mean)[0];
        return h;
    }

    // z_L down the mean path to the mean of p(x | z_1): probabilities (Bernoulli) or means
    private void DecodeMean(float[] zTop, int batch, Span<float> output)
    {
        float[] h = zTop;
        for (int l = Layers - 1; l >= 1; l--) h = Run(conditionals[l - 1], VaeGraphNames.Z, h, batch, LatentSizes[l], VaeGraphNames.Mean)[0];
        DecodeData(h, batch, output);
    }

    // z_1 to the mean of p(x | z_1): probabilities (Bernoulli) or means
    private void DecodeData(float[] z1, int batch, Span<float> output)
    {
        float[] raw = Run(data, VaeGraphNames.Z, z1, batch, LatentSizes[0], VaeGraphNames.DecoderOutput(Info.OutputKind))[0];
        if (Info.OutputKind == OutputKind.Logits) Sigmoid.Apply(raw, output);
        else raw.CopyTo(output);
    }

    private double Nll(ReadOnlySpan<float> x, ReadOnlySpan<float> raw) => Info.OutputKind == OutputKind.Logits
        ? Likelihoods.BernoulliNll(x, raw)
        : Likelihoods.GaussianNll(x, raw, Info.GaussianSigma);

    private static float[][] Run(InferenceSession session, string input, float[] values, int batch, int width, params string[] outputs)
    {
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(values, [batch, width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], outputs);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    private static void CheckTemperature(float temperature)
    {
        if (!(temperature >= 0) || !float.IsFinite(temperature))
            throw new ArgumentException($"temperature is {temperature}; expected a finite value ≥ 0 (1 samples the prior itself).", nameof(temperature));
    }

    /// <summary>Uniform choices of a VampPrior component, reproducible from the seed (SplitMix64, apart from the Gaussian noise's stream).</summary>
    private struct ComponentChoice(long seed)
    {
        private ulong state = (ulong)seed ^ 0xD1B54A32D192ED03UL;

        public int Next(int count)
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)((z >> 11) * (1.0 / (1UL << 53)) * count);
        }
    }
}
