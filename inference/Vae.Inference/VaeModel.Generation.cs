using System.Buffers;

namespace Vae.Inference;

/// <summary>Sampling, generation, reconstruction and interpolation.</summary>
public sealed partial class VaeModel
{
    /// <summary>Fills <paramref name="z"/> with draws from N(0, temperature² I) using <paramref name="random"/>.</summary>
    public static void SampleLatent(Span<float> z, Random random, float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckTemperature(temperature);
        for (int i = 0; i < z.Length; i++) z[i] = temperature * StandardNormal(random);
    }

    /// <summary>Fills <paramref name="z"/> with draws from N(0, temperature² I), reproducible from <paramref name="seed"/>. Allocates nothing.</summary>
    public static void SampleLatent(Span<float> z, long seed, float temperature = 1f)
    {
        CheckTemperature(temperature);
        new GaussianNoise(seed).Fill(z, temperature);
    }

    /// <summary>
    /// Draws z ~ q(z|x) by the reparameterisation z = mean + exp(½·logvar)·ε, ε ~ N(0, I) reproducible from
    /// <paramref name="seed"/> (the same ε as <see cref="SampleLatent(Span{float}, long, float)"/>), for codes laid out as
    /// <see cref="Encode(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{int})"/> writes them. <paramref name="z"/>
    /// may be <paramref name="mean"/>'s own buffer. Allocates nothing.
    /// </summary>
    public static void SamplePosterior(ReadOnlySpan<float> mean, ReadOnlySpan<float> logvar, Span<float> z, long seed)
    {
        InputChecks.Length(logvar.Length, mean.Length, nameof(logvar), $"one log-variance per mean");
        InputChecks.Length(z.Length, mean.Length, nameof(z), $"one value per mean");
        var noise = new GaussianNoise(seed);
        for (int i = 0; i < z.Length; i++) z[i] = mean[i] + MathF.Exp(0.5f * logvar[i]) * noise.Next();
    }

    /// <summary>Draws z ~ q(z|x) for every code (see <see cref="SamplePosterior(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, long)"/>); returns a new array.</summary>
    public static float[] SamplePosterior(float[] mean, float[] logvar, long seed)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logvar);
        var z = new float[mean.Length];
        SamplePosterior(mean, logvar, z, seed);
        return z;
    }

    /// <summary>
    /// Decodes <c>B = output.Length / InputSize</c> latent draws z ~ N(0, temperature² I) (seeded) into <paramref name="output"/>.
    /// Conditional models take one class label per sample. Allocates no managed memory (scratch comes from <see cref="ArrayPool{T}.Shared"/>).
    /// Hierarchical models sample their own prior through every layer instead (<see cref="VaeHierarchy.Generate(Span{float}, long, float)"/>,
    /// which allocates).
    /// </summary>
    public void Generate(Span<float> output, long seed, float temperature = 1f, ReadOnlySpan<int> labels = default)
    {
        CheckTemperature(temperature);
        Enter();
        try
        {
            int batch = InputChecks.BatchOf(output.Length, InputSize, nameof(output));
            InputChecks.Labels(labels, batch, Classes, nameof(labels));
            if (IsHierarchical)
            {
                RequireHierarchy(nameof(Generate)).Generate(output, seed, temperature);
                return;
            }
            float[] z = Rent(batch * LatentSize);
            try
            {
                new GaussianNoise(seed).Fill(z.AsSpan(0, batch * LatentSize), temperature);
                RunDecoder(z.AsSpan(0, batch * LatentSize), labels, output, batch);
            }
            finally { Return(z); }
        }
        finally { Exit(); }
    }

    /// <summary>Generates <paramref name="count"/> samples (unconditional models); returns a new array of count × <see cref="InputSize"/>.</summary>
    public float[] Generate(int count, long seed = 0, float temperature = 1f)
    {
        InputChecks.Positive(count, nameof(count));
        var output = new float[InputChecks.Total(nameof(count), "count × input size", count, InputSize)];
        Generate(output, seed, temperature);
        return output;
    }

    /// <summary>Generates one sample per label (conditional models); returns a new array of labels.Length × <see cref="InputSize"/>.</summary>
    public float[] Generate(int[] labels, long seed = 0, float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(labels);
        InputChecks.Positive(labels.Length, "labels.Length");
        var output = new float[InputChecks.Total(nameof(labels), "labels × input size", labels.Length, InputSize)];
        Generate(output, seed, temperature, labels);
        return output;
    }

    /// <summary>Conditional models: <paramref name="perClass"/> samples of every class, class 0 first; returns Classes × perClass × <see cref="InputSize"/> values.</summary>
    /// <exception cref="InvalidOperationException">The model is not conditional.</exception>
    public float[] GeneratePerClass(int perClass, long seed = 0, float temperature = 1f)
    {
        InputChecks.Positive(perClass, nameof(perClass));
        if (Classes == 0) throw new InvalidOperationException("this model is not conditional (0 classes); use Generate(count).");
        InputChecks.Total(nameof(perClass), "classes × perClass × input size", Classes, perClass, InputSize);
        int[] labels = Enumerable.Range(0, Classes).SelectMany(c => Enumerable.Repeat(c, perClass)).ToArray();
        return Generate(labels, seed, temperature);
    }

    /// <summary>Reconstructs a batch: decodes the posterior mean of each input. <paramref name="output"/> has x's length. Allocates no managed memory.</summary>
    public void Reconstruct(ReadOnlySpan<float> x, Span<float> output, ReadOnlySpan<int> labels = default)
    {
        Enter();
        try
        {
            int batch = CheckInput(x, labels, nameof(x), nameof(labels));
            InputChecks.Length(output.Length, x.Length, nameof(output), $"same as x: batch {batch} × {InputSize}");
            ReconstructChecked(x, labels, output, batch);
        }
        finally { Exit(); }
    }

    /// <summary>Reconstructs a batch; returns a new array the size of <paramref name="x"/>.</summary>
    public float[] Reconstruct(float[] x, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        var output = new float[x.Length];
        Reconstruct(x, output, labels);
        return output;
    }

    /// <summary>
    /// Interpolates between pairs: <paramref name="from"/> and <paramref name="to"/> hold B inputs each; both are
    /// encoded (posterior means), <paramref name="steps"/> latent points are taken from one to the other (both ends
    /// included) and decoded. <paramref name="output"/> receives B × steps × <see cref="InputSize"/> values, pair by
    /// pair. Conditional models take one label per pair. Allocates no managed memory.
    /// </summary>
    public void Interpolate(ReadOnlySpan<float> from, ReadOnlySpan<float> to, int steps, Span<float> output,
        Interpolation kind = Interpolation.Linear, ReadOnlySpan<int> labels = default)
    {
        if (steps < 2) throw new ArgumentException($"{nameof(steps)} is {steps}; expected at least 2 (both ends).", nameof(steps));
        Enter();
        try
        {
            int batch = CheckInput(from, labels, nameof(from), nameof(labels));
            InputChecks.Length(to.Length, from.Length, nameof(to), $"same as from: batch {batch} × {InputSize}"); // before to's labels: a batch mismatch is to's fault
            CheckInput(to, labels, nameof(to), nameof(labels));
            InputChecks.Total(nameof(steps), "batch × (steps + 4) × latent size", batch, steps + 4L, LatentSize); // the codes rented below
            InputChecks.Length(output.Length, InputChecks.Total(nameof(steps), "batch × steps × input size", batch, steps, InputSize), nameof(output), $"batch {batch} × {steps} steps × {InputSize}");
            int latent = batch * LatentSize, pathLength = batch * steps * LatentSize;
            float[] codes = Rent(4 * latent + pathLength);
            int[] pathLabels = ArrayPool<int>.Shared.Rent(Classes > 0 ? batch * steps : 0);
            try
            {
                Span<float> a = codes.AsSpan(0, latent), b = codes.AsSpan(latent, latent), scratch = codes.AsSpan(2 * latent, 2 * latent);
                Span<float> path = codes.AsSpan(4 * latent, pathLength);
                RunEncoder(from, labels, a, scratch[..latent], batch);
                RunEncoder(to, labels, b, scratch[latent..], batch);
                for (int i = 0; i < batch; i++)
                {
                    LatentPath.Fill(a.Slice(i * LatentSize, LatentSize), b.Slice(i * LatentSize, LatentSize), steps,
                        path.Slice(i * steps * LatentSize, steps * LatentSize), kind);
                    if (Classes > 0) pathLabels.AsSpan(i * steps, steps).Fill(labels[i]);
                }
                ReadOnlySpan<int> decodeLabels = Classes > 0 ? pathLabels.AsSpan(0, batch * steps) : default;
                RunDecoder(path, decodeLabels, output, batch * steps);
            }
            finally
            {
                Return(codes);
                ArrayPool<int>.Shared.Return(pathLabels);
            }
        }
        finally { Exit(); }
    }

    /// <summary>Interpolates between pairs; returns a new array of B × steps × <see cref="InputSize"/>.</summary>
    public float[] Interpolate(float[] from, float[] to, int steps, Interpolation kind = Interpolation.Linear, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (steps < 2) throw new ArgumentException($"{nameof(steps)} is {steps}; expected at least 2 (both ends).", nameof(steps));
        var output = new float[InputChecks.Total(nameof(steps), "batch × steps × input size", InputChecks.BatchOf(from.Length, InputSize, nameof(from)), steps, InputSize)];
        Interpolate(from, to, steps, output, kind, labels);
        return output;
    }

    /// <summary>Encode to the posterior mean, decode; inputs already checked, inside Enter/Exit.</summary>
    private void ReconstructChecked(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> output, int batch)
    {
        float[] codes = Rent(2 * batch * LatentSize);
        try
        {
            Span<float> mean = codes.AsSpan(0, batch * LatentSize), logvar = codes.AsSpan(batch * LatentSize, batch * LatentSize);
            RunEncoder(x, labels, mean, logvar, batch);
            RunDecoder(mean, labels, output, batch);
        }
        finally { Return(codes); }
    }

    private static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length);

    private static void Return(float[] array) => ArrayPool<float>.Shared.Return(array);

    private static void CheckTemperature(float temperature)
    {
        if (!(temperature >= 0) || !float.IsFinite(temperature))
            throw new ArgumentException($"temperature is {temperature}; expected a finite value ≥ 0 (1 samples the prior N(0, I)).", nameof(temperature));
    }

    internal static float StandardNormal(Random random)
    {
        // Box–Muller; 1 − U keeps the logarithm finite.
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
