using Vae.Inference;

namespace Vae.Cli.Commands;

// TEMPORARY BRIDGE — delete this file once branch issue5 (the richer Vae.Inference API) is on main.
// It gives main's VaeModel (Encode/Decode only) the members of issue5's VaeModel that the picture commands call,
// with the same names and signatures, so the commands are written against issue5's API today. Instance members
// win over extension members and the types below shadow Vae.Inference's only inside this namespace, so the code
// also compiles with issue5 merged; deleting this file then switches every command to the library, with no other
// edit. Until then conditional (labelled) models are refused: main's VaeModel has no label input.

/// <summary>How <c>Interpolate</c> walks between two latent codes (mirror of issue5's Vae.Inference.Interpolation).</summary>
internal enum Interpolation
{
    /// <summary>Straight line: (1 − t)·a + t·b.</summary>
    Linear,
    /// <summary>Great-circle arc (slerp, White 2016): keeps the norm typical of N(0, I) samples along the way.</summary>
    Spherical,
}

/// <summary>How unusual one sample is under the model, in nats (mirror of issue5's Vae.Inference.AnomalyScore).</summary>
internal readonly record struct AnomalyScore(float NegativeElbo, float NegativeLogLikelihood, float ReconstructionNll, float Kl, float SquaredError);

/// <summary>Seeded standard-normal draws (SplitMix64 uniforms, Box–Muller pairs; mirror of issue5's Vae.Inference.GaussianNoise).</summary>
internal struct GaussianNoise(long seed)
{
    private ulong state = (ulong)seed ^ 0x9E3779B97F4A7C15UL;
    private float spare;
    private bool hasSpare;

    /// <summary>The next draw from N(0, 1).</summary>
    public float Next()
    {
        if (hasSpare) { hasSpare = false; return spare; }
        double u1 = 1.0 - NextUniform(), u2 = NextUniform();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1)), angle = 2.0 * Math.PI * u2;
        spare = (float)(radius * Math.Sin(angle));
        hasSpare = true;
        return (float)(radius * Math.Cos(angle));
    }

    private double NextUniform()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>issue5's VaeModel members used by the picture commands, built on main's Encode/Decode.</summary>
internal static class InferenceBridge
{
    extension(VaeModel vae)
    {
        /// <summary>Number of classes of a conditional model, 0 otherwise.</summary>
        public int Classes => vae.Info.Classes;

        public void Encode(ReadOnlySpan<float> x, Span<float> mean, Span<float> logvar, ReadOnlySpan<int> labels)
        {
            Unconditional(vae, labels.Length);
            vae.Encode(x, mean, logvar);
        }

        public (float[] Mean, float[] Logvar) Encode(float[] x, int[]? labels)
        {
            Unconditional(vae, labels?.Length ?? 0);
            return vae.Encode(x);
        }

        public void Decode(ReadOnlySpan<float> z, Span<float> output, ReadOnlySpan<int> labels)
        {
            Unconditional(vae, labels.Length);
            vae.Decode(z, output);
        }

        public float[] Decode(float[] z, int[]? labels)
        {
            Unconditional(vae, labels?.Length ?? 0);
            return vae.Decode(z);
        }

        /// <summary>Decodes <paramref name="count"/> draws z ~ N(0, temperature² I), seeded.</summary>
        public float[] Generate(int count, long seed = 0, float temperature = 1f)
        {
            var z = new float[count * vae.LatentSize];
            var noise = new GaussianNoise(seed);
            for (int i = 0; i < z.Length; i++) z[i] = temperature * noise.Next();
            return vae.Decode(z);
        }

        /// <summary>Conditional generation: one sample per label.</summary>
        public float[] Generate(int[] labels, long seed = 0, float temperature = 1f)
        {
            Unconditional(vae, labels.Length);
            return vae.Generate(labels.Length, seed, temperature);
        }

        /// <summary>Decodes the posterior mean of each input.</summary>
        public float[] Reconstruct(float[] x, int[]? labels = null) => vae.Decode(vae.Encode(x, labels).Mean);

        /// <summary>Reconstructs <paramref name="iterations"/> times in a row.</summary>
        public float[] Denoise(float[] x, int iterations = 1, int[]? labels = null)
        {
            float[] output = vae.Reconstruct(x, labels);
            for (int n = 1; n < iterations; n++) output = vae.Reconstruct(output, labels);
            return output;
        }

        /// <summary>Decodes <paramref name="steps"/> points from the posterior mean of <paramref name="from"/> to that of <paramref name="to"/> (one pair).</summary>
        public float[] Interpolate(float[] from, float[] to, int steps, Interpolation kind = Interpolation.Linear, int[]? labels = null)
        {
            float[] a = vae.Encode(from, labels).Mean, b = vae.Encode(to, labels).Mean;
            double dot = 0, na = 0, nb = 0;
            for (int i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
            double omega = Math.Acos(na > 0 && nb > 0 ? Math.Clamp(dot / Math.Sqrt(na * nb), -1, 1) : 1), sinOmega = Math.Sin(omega);
            bool spherical = kind == Interpolation.Spherical && sinOmega > 1e-6;
            var path = new float[steps * a.Length];
            for (int s = 0; s < steps; s++)
            {
                double t = s / (double)(steps - 1);
                double wa = spherical ? Math.Sin((1 - t) * omega) / sinOmega : 1 - t, wb = spherical ? Math.Sin(t * omega) / sinOmega : t;
                for (int i = 0; i < a.Length; i++) path[s * a.Length + i] = (float)(wa * a[i] + wb * b[i]);
            }
            return vae.Decode(path);
        }

        /// <summary>
        /// −ELBO, importance-weighted −log p(x) from <paramref name="samples"/> draws z ~ q(z|x), analytic KL and squared
        /// error, per sample. Bernoulli models only: main's Decode returns probabilities, clamped here to (2⁻²⁴, 1 − 2⁻²⁴).
        /// </summary>
        public void ScoreAnomalies(ReadOnlySpan<float> x, Span<AnomalyScore> scores, int samples, long seed, ReadOnlySpan<int> labels)
        {
            Unconditional(vae, labels.Length);
            if (vae.Info.OutputKind != OutputKind.Logits)
                throw new VaeModelException("anomaly scores of Gaussian-output models need Vae.Inference.ScoreAnomalies (branch issue5).");
            int batch = scores.Length, latent = vae.LatentSize, size = vae.InputSize;
            var mean = new float[batch * latent];
            var logvar = new float[batch * latent];
            vae.Encode(x, mean, logvar);
            var z = new float[batch * latent];
            var logWeights = new double[batch, samples];
            var reconstruction = new double[batch];
            var noise = new GaussianNoise(seed);
            for (int s = 0; s < samples; s++)
            {
                var logRatio = new double[batch];   // log p(z) − log q(z|x); the log 2π terms cancel
                for (int j = 0; j < z.Length; j++)
                {
                    float eps = noise.Next();
                    z[j] = mean[j] + MathF.Exp(0.5f * logvar[j]) * eps;
                    logRatio[j / latent] += -0.5 * z[j] * z[j] + 0.5 * eps * eps + 0.5 * logvar[j];
                }
                float[] p = vae.Decode(z);
                for (int i = 0; i < batch; i++)
                {
                    double nll = BernoulliNll(x.Slice(i * size, size), p.AsSpan(i * size, size));
                    reconstruction[i] += nll / samples;
                    logWeights[i, s] = -nll + logRatio[i];
                }
            }
            float[] decoded = vae.Decode(mean);
            for (int i = 0; i < batch; i++)
            {
                double kl = 0, squared = 0, max = double.NegativeInfinity, sum = 0;
                for (int j = i * latent; j < (i + 1) * latent; j++) kl -= 0.5 * (1 + logvar[j] - mean[j] * (double)mean[j] - Math.Exp(logvar[j]));
                for (int j = 0; j < size; j++) { double d = x[i * size + j] - decoded[i * size + j]; squared += d * d; }
                for (int s = 0; s < samples; s++) max = Math.Max(max, logWeights[i, s]);
                for (int s = 0; s < samples; s++) sum += Math.Exp(logWeights[i, s] - max);
                double iwae = -(max + Math.Log(sum / samples));
                scores[i] = new AnomalyScore((float)(reconstruction[i] + kl), (float)iwae, (float)reconstruction[i], (float)kl, (float)squared);
            }
        }
    }

    private static double BernoulliNll(ReadOnlySpan<float> x, ReadOnlySpan<float> p)
    {
        const double eps = 1.0 / (1 << 24);
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double q = Math.Clamp(p[i], eps, 1 - eps);
            sum -= x[i] * Math.Log(q) + (1 - x[i]) * Math.Log(1 - q);
        }
        return sum;
    }

    private static void Unconditional(VaeModel vae, int labels)
    {
        if (vae.Info.Classes > 0 || labels > 0)
            throw new VaeModelException($"conditional models ({vae.Info.Classes} classes) need the label-aware Vae.Inference of branch issue5; this build's VaeModel has no label input.");
    }
}
