using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// The ε of the reparameterisation z = μ + exp(½·logvar)·ε, drawn from N(0, I) by a counter-based generator keyed by
/// (seed, row id, latent index). A row gets the same ε however the data is batched, split across cursors or re-scanned.
/// </summary>
internal static class LatentNoise
{
    /// <summary>Writes z = μ + exp(½·logvar)·ε for one row into <paramref name="z"/>.</summary>
    public static void Reparameterize(ReadOnlySpan<float> mean, ReadOnlySpan<float> logvar, int seed, DataViewRowId row, Span<float> z)
    {
        ulong key = Mix((ulong)(uint)seed ^ Mix(row.Low ^ Mix(row.High)));
        for (int j = 0; j < z.Length; j++)
            z[j] = mean[j] + MathF.Exp(0.5f * logvar[j]) * StandardNormal(key, (ulong)j);
    }

    /// <summary>A standard normal draw for counter <paramref name="index"/> under <paramref name="key"/> (Box–Muller on two 53-bit uniforms).</summary>
    internal static float StandardNormal(ulong key, ulong index)
    {
        ulong a = Mix(key + 2 * index + 1), b = Mix(key + 2 * index + 2);
        double u1 = ((a >> 11) + 1) * (1.0 / (1UL << 53)); // (0, 1]: the logarithm stays finite
        double u2 = (b >> 11) * (1.0 / (1UL << 53));
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    // SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix with full avalanche.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
