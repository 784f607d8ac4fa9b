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
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>
    /// Analytic KL to the standard normal prior (Kingma &amp; Welling, Appendix B):
    /// −D_KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).
    /// </summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logvar) =>
        -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(1);

    /// <summary>−log p(x|z) for a Bernoulli decoder: binary cross-entropy with logits, summed over pixels.</summary>
    public static Tensor BernoulliNll(Tensor logits, Tensor x) =>
        nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None).sum(-1);

    /// <summary>−log p(x|z) for a Gaussian decoder with fixed σ: ½ Σ ((x − μ)²/σ² + log 2πσ²).</summary>
    public static Tensor GaussianNll(Tensor mean, Tensor x, double sigma) =>
        0.5 * ((x - mean).pow(2) / (sigma * sigma) + Math.Log(2 * Math.PI * sigma * sigma)).sum(-1);

    /// <summary>−log p(x|z) for a Gaussian decoder with per-pixel log-variance: ½ Σ ((x − μ)²·e^{−logvar} + logvar + log 2π).</summary>
    public static Tensor GaussianNll(Tensor mean, Tensor x, Tensor logvar) =>
        0.5 * ((x - mean).pow(2) * (-logvar).exp() + logvar + Log2Pi).sum(-1);

    /// <summary>
    /// −log p(x|z) under the model's likelihood, summed over the last axis. <paramref name="output"/> is the
    /// decoder output flattened to [..., InputSize] and <paramref name="x"/> the target of the same shape.
    /// </summary>
    public static Tensor ReconstructionNll(VaeModule model, Tensor output, Tensor x)
    {
        VaeConfig config = model.Config;
        return config.Likelihood switch
        {
            Likelihood.Bernoulli => BernoulliNll(output, x),
            Likelihood.Gaussian when config.LearnVariance => GaussianNll(output, x, PixelLogvar(model)),
            Likelihood.Gaussian => GaussianNll(output, x, config.GaussianSigma),
            _ => throw new ArgumentOutOfRangeException(nameof(model), config.Likelihood, "unknown likelihood"),
        };
    }

    /// <summary>Negative ELBO terms for one forward pass on the batch <paramref name="x"/> (β weights the KL). A deterministic
    /// autoencoder (<see cref="Objective.Autoencoder"/>) has no prior: its KL term is 0 and the loss is the reconstruction alone.</summary>
    public static ElboTerms Compute(VaeModule model, VaeOutput output, Tensor x, double beta = 1.0)
    {
        Tensor reconstruction = ReconstructionNll(model, output.Output.flatten(1), x.flatten(1));
        Tensor kl = model.Config.Objective == Objective.Autoencoder ? zeros_like(reconstruction) : GaussianKl(output.Mean, output.Logvar);
        return new ElboTerms(reconstruction + beta * kl, reconstruction, kl);
    }

    private static Tensor PixelLogvar(VaeModule model) =>
        (model as LayeredVae)?.PixelLogvar
        ?? throw new ArgumentException($"{model.GetType().Name} has no learned pixel log-variance although its config asks for one.", nameof(model));
}
