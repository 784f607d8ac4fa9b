namespace Vae.Inference;

/// <summary>
/// Deterministic standard-normal draws from a 64-bit seed (SplitMix64 uniforms, Box–Muller pairs), as a struct
/// so sampling allocates nothing. The same seed gives the same sequence on every machine and thread.
/// </summary>
public struct GaussianNoise
{
    private ulong state;
    private float spare;
    private bool hasSpare;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public GaussianNoise(long seed)
    {
        state = (ulong)seed ^ 0x9E3779B97F4A7C15UL;
        spare = 0;
        hasSpare = false;
    }

    /// <summary>The next draw from N(0, 1).</summary>
    public float Next()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spare;
        }
        // 1 − U keeps the logarithm finite; both uniforms have 53 random bits.
        double u1 = 1.0 - NextUniform(), u2 = NextUniform();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1)), angle = 2.0 * Math.PI * u2;
        spare = (float)(radius * Math.Sin(angle));
        hasSpare = true;
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>Fills <paramref name="values"/> with draws from N(0, scale²).</summary>
    public void Fill(Span<float> values, float scale = 1f)
    {
        for (int i = 0; i < values.Length; i++) values[i] = scale * Next();
    }

    private double NextUniform()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
