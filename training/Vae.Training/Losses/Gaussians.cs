using static TorchSharp.torch;

namespace Vae.Training.Losses;

/// <summary>Log densities of diagonal Gaussians, summed over the last axis (nats).</summary>
public static class Gaussians
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>log N(z; μ, diag(e^logvar)) = −½ Σ ((z − μ)² e^−logvar + logvar + log 2π); arguments broadcast.</summary>
    public static Tensor LogDensity(Tensor z, Tensor mean, Tensor logvar) =>
        -0.5 * ((z - mean).pow(2) * (-logvar).exp() + logvar + Log2Pi).sum(-1);

    /// <summary>log N(z; 0, I) = −½ Σ (z² + log 2π).</summary>
    public static Tensor LogStandardNormal(Tensor z) => -0.5 * (z.pow(2) + Log2Pi).sum(-1);

    /// <summary>
    /// log N(z_n; μ_k, diag(e^logvar_k)) for every row z_n of <paramref name="z"/> [N, D] and every component k of
    /// <paramref name="mean"/> and <paramref name="logvar"/> [K, D], as [N, K] float64. The square is expanded,
    /// Σ_d (z² − 2 z μ + μ²) e^−logvar, into two [N, D]·[D, K] products, so no [N, K, D] tensor is made (k = 5000 draws
    /// against 500 components would need one of gigabytes); float64 keeps the expansion's cancellation harmless.
    /// </summary>
    public static Tensor LogDensityPerComponent(Tensor z, Tensor mean, Tensor logvar)
    {
        using var scope = NewDisposeScope();
        Tensor z64 = z.to(ScalarType.Float64), mean64 = mean.to(ScalarType.Float64), logvar64 = logvar.to(ScalarType.Float64);
        Tensor precision = (-logvar64).exp();                                                     // [K, D]
        Tensor quadratic = z64.pow(2).matmul(precision.t()) - 2 * z64.matmul((mean64 * precision).t());   // [N, K]
        Tensor constant = (mean64.pow(2) * precision + logvar64 + Log2Pi).sum(1);                // [K]
        return (-0.5 * (quadratic + constant)).MoveToOuterDisposeScope();
    }

    /// <summary>log q(z) of a reparameterised draw z = μ + e^{logvar/2} ε, from its noise: −½ Σ (ε² + logvar + log 2π)
    /// (the same value as <see cref="LogDensity"/>, without dividing by the variance).</summary>
    public static Tensor LogDensityOfDraw(Tensor eps, Tensor logvar) => -0.5 * (eps.pow(2) + logvar + Log2Pi).sum(-1);
}
