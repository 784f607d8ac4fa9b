namespace Vae.Inference;

/// <summary>How <see cref="VaeModel.Interpolate(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float}, Interpolation, ReadOnlySpan{int})"/> walks between two latent codes.</summary>
public enum Interpolation
{
    /// <summary>Straight line: (1 − t)·a + t·b.</summary>
    Linear,
    /// <summary>Great-circle arc (slerp, White 2016): keeps the norm typical of N(0, I) samples along the way.</summary>
    Spherical,
}

/// <summary>Points between two latent codes.</summary>
public static class LatentPath
{
    /// <summary>
    /// Writes <paramref name="steps"/> points from <paramref name="a"/> (t = 0) to <paramref name="b"/> (t = 1), evenly
    /// spaced in t, into <paramref name="path"/> (steps × a.Length). Spherical falls back to linear when a and b are
    /// (anti)parallel or one is zero, where the arc is undefined.
    /// </summary>
    public static void Fill(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int steps, Span<float> path, Interpolation kind)
    {
        InputChecks.Length(b.Length, a.Length, nameof(b), $"same size as a");
        if (steps < 2) throw new ArgumentException($"{nameof(steps)} is {steps}; expected at least 2 (both ends).", nameof(steps));
        InputChecks.Length(path.Length, InputChecks.Total(nameof(steps), "steps × code length", steps, a.Length), nameof(path), $"{steps} steps × {a.Length}");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        double cos = na > 0 && nb > 0 ? Math.Clamp(dot / Math.Sqrt(na * nb), -1, 1) : 1;
        double omega = Math.Acos(cos), sinOmega = Math.Sin(omega);
        bool spherical = kind == Interpolation.Spherical && sinOmega > 1e-6;
        for (int s = 0; s < steps; s++)
        {
            double t = s / (double)(steps - 1);
            double wa = spherical ? Math.Sin((1 - t) * omega) / sinOmega : 1 - t;
            double wb = spherical ? Math.Sin(t * omega) / sinOmega : t;
            Span<float> point = path.Slice(s * a.Length, a.Length);
            for (int i = 0; i < a.Length; i++) point[i] = (float)(wa * a[i] + wb * b[i]);
        }
    }
}
