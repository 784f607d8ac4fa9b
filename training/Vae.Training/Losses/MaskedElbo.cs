using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Losses;

/// <summary>
/// The ELBO of the observed values alone, for data with missing values (the masked ELBO of Nazábal et al., 2020,
/// "Handling incomplete heterogeneous data using VAEs", and of MIWAE, Mattei &amp; Frellsen, 2019):
/// −ELBO = −Σ_{i observed} log p(x_i|z) + β·D_KL(q(z|x̃) ‖ p(z)), where the encoder reads x̃, the values with each missing
/// one replaced by 0. The likelihood factorises over values, so leaving the missing ones out of the sum is the exact
/// bound on log p(x_observed); nothing is learnt from what was never seen.
/// </summary>
public static class MaskedElbo
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>Per-sample terms for one forward pass on x [B, ...] with <paramref name="observed"/> (bool or 0/1, x's shape)
    /// true where a value counts; the missing entries of x may hold anything finite.</summary>
    /// <exception cref="ArgumentException"><paramref name="observed"/> does not have x's number of values.</exception>
    public static ElboTerms Compute(VaeModule model, VaeOutput output, Tensor x, Tensor observed, double beta = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(observed);
        if (observed.numel() != x.numel())
            throw new ArgumentException($"observed has shape [{string.Join(", ", observed.shape)}]; expected one flag per value of x [{string.Join(", ", x.shape)}].", nameof(observed));
        Tensor mask = observed.flatten(1).to_type(x.dtype);
        Tensor reconstruction = (ValueNll(model, output.Output.flatten(1), x.flatten(1)) * mask).sum(-1);
        Tensor kl = model.Config.Objective == Objective.Autoencoder ? zeros_like(reconstruction) : Elbo.GaussianKl(output.Mean, output.Logvar);
        return new ElboTerms(reconstruction + beta * kl, reconstruction, kl);
    }

    /// <summary>−log p(x_i|z) of every value [B, D] under the model's likelihood (the terms <see cref="Elbo.ReconstructionNll"/> sums).</summary>
    public static Tensor ValueNll(VaeModule model, Tensor output, Tensor x)
    {
        VaeConfig config = model.Config;
        return config.Likelihood switch
        {
            Likelihood.Bernoulli => nn.functional.binary_cross_entropy_with_logits(output, x, reduction: nn.Reduction.None),
            Likelihood.Gaussian when config.LearnVariance && (model as LayeredVae)?.PixelLogvar is { } logvar =>
                0.5 * ((x - output).pow(2) * (-logvar).exp() + logvar + Log2Pi),
            Likelihood.Gaussian when config.LearnVariance =>
                throw new ArgumentException($"{model.GetType().Name} has no learned pixel log-variance although its config asks for one.", nameof(model)),
            _ => 0.5 * ((x - output).pow(2) / (config.GaussianSigma * config.GaussianSigma) + Math.Log(2 * Math.PI * config.GaussianSigma * config.GaussianSigma)),
        };
    }
}
