using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Losses;

/// <summary>Per-sample terms of the negative ELBO, each of shape [B], in nats.</summary>
/// <param name="Loss">Reconstruction + β·KL.</param>
/// <param name="Reconstruction">−log p(x|z).</param>
/// <param name="Kl">D_KL(q(z|x) ‖ p(z)).</param>
public sealed record ElboTerms(Tensor Loss, Tensor Reconstruction, Tensor Kl);

/// <summary>The VAE objective of Kingma &amp; Welling (2014), "Auto-Encoding Variational Bayes".</summary>
public static class Elbo
{
    /// <summary>
    /// Analytic KL to the standard normal prior (Kingma &amp; Welling, Appendix B):
    /// −D_KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).
    /// </summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logvar) =>
        -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(1);

    /// <summary>−log p(x|z) for a Bernoulli decoder: binary cross-entropy with logits, summed over pixels.</summary>
    public static Tensor BernoulliNll(Tensor logits, Tensor x) =>
        nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None).sum(1);

    /// <summary>−log p(x|z) for a Gaussian decoder with fixed σ: ½ Σ ((x − μ)²/σ² + log 2πσ²).</summary>
    public static Tensor GaussianNll(Tensor mean, Tensor x, double sigma) =>
        0.5 * ((x - mean).pow(2) / (sigma * sigma) + Math.Log(2 * Math.PI * sigma * sigma)).sum(1);

    /// <summary>Negative ELBO terms for one forward pass on the batch <paramref name="x"/>.</summary>
    public static ElboTerms Compute(VaeConfig config, VaeOutput output, Tensor x, double beta = 1.0)
    {
        Tensor target = x.flatten(1);
        Tensor prediction = output.Output.flatten(1);
        Tensor reconstruction = config.Likelihood switch
        {
            Likelihood.Bernoulli => BernoulliNll(prediction, target),
            Likelihood.Gaussian => GaussianNll(prediction, target, config.GaussianSigma),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Likelihood, "unknown likelihood"),
        };
        Tensor kl = GaussianKl(output.Mean, output.Logvar);
        return new ElboTerms(reconstruction + beta * kl, reconstruction, kl);
    }
}
