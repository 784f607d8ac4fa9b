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

    /// <summary>log q(z) of a reparameterised draw z = μ + e^{logvar/2} ε, from its noise: −½ Σ (ε² + logvar + log 2π)
    /// (the same value as <see cref="LogDensity"/>, without dividing by the variance).</summary>
    public static Tensor LogDensityOfDraw(Tensor eps, Tensor logvar) => -0.5 * (eps.pow(2) + logvar + Log2Pi).sum(-1);
}
