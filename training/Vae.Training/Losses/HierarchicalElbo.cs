using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Losses;

/// <summary>
/// Log densities of k draws through the hierarchy per input, each [k, B]: z_1 ~ q(z_1|x), z_l ~ q(z_l|z_{l−1}), and at
/// those draws log p(x|z_1), log p(z_l|z_{l+1}) (log p(z_L) for the top) and log q(z_l|·). The tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="LogLikelihood">log p(x|z_1).</param>
/// <param name="LogPrior">Per layer l (index l − 1): log p(z_l | z_{l+1}), the prior log p(z_L) for the top.</param>
/// <param name="LogPosterior">Per layer: log q(z_l | z_{l−1}) (of x for l = 1).</param>
/// <param name="TopMean">Mean of q(z_L | z_{L−1}) at the draws, [k, B, LatentSize] (for the analytic KL to N(0, I)).</param>
/// <param name="TopLogvar">Its log-variance.</param>
public sealed record HierarchySample(Tensor LogLikelihood, Tensor[] LogPrior, Tensor[] LogPosterior, Tensor TopMean, Tensor TopLogvar)
{
    /// <summary>log w = log p(x|z_1) + Σ_l β_l (log p(z_l|·) − log q(z_l|·)); β = 1 everywhere gives the importance weights.</summary>
    public Tensor LogWeights(KlWeights weights)
    {
        Tensor logW = LogLikelihood;
        for (int l = 0; l < LogPrior.Length; l++) logW = logW + weights.Beta(l) * (LogPrior[l] - LogPosterior[l]);
        return logW;
    }

    /// <summary>Σ_l (log q − log p) per draw: the Monte Carlo KL of the whole hierarchy, [k, B].</summary>
    public Tensor Kl()
    {
        Tensor kl = LogPosterior[0] - LogPrior[0];
        for (int l = 1; l < LogPrior.Length; l++) kl = kl + (LogPosterior[l] - LogPrior[l]);
        return kl;
    }
}

/// <summary>
/// The ELBO and the importance-weighted bound of a <see cref="HierarchicalVae"/> (Burda et al., 2016, section 2; Sønderby et
/// al., 2016): log p(x) ≥ E_q[log p(x|z_1) + Σ_l (log p(z_l|z_{l+1}) − log q(z_l|z_{l−1}))]. Every layer's KL is a one-draw
/// Monte Carlo term except the top layer's under a standard normal prior, which is analytic given z_{L−1}
/// (Kingma &amp; Welling, appendix B). Free bits (Kingma et al., 2016, "Improved Variational Inference with Inverse
/// Autoregressive Flow", appendix C.8) keep each layer's batch-mean KL at or above λ nats per unit.
/// </summary>
public static class HierarchicalElbo
{
    /// <summary>Draws <paramref name="k"/> paths through the hierarchy for each input of x [B, ...] and returns their log densities.</summary>
    public static HierarchySample Sample(HierarchicalVae model, Tensor x, int k, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        using var scope = NewDisposeScope();
        Tensor target = x.flatten(1);
        int layers = model.Layers;
        var logQ = new Tensor[layers];
        var logP = new Tensor[layers];
        var z = new Tensor[layers];
        Tensor below = target;
        Tensor topMean = null!, topLogvar = null!;
        for (int l = 1; l <= layers; l++)
        {
            var (mean, logvar) = model.Posterior(l, below);
            // layer 1 reads x [B, ...]: its parameters broadcast over the k draws; layers above read [k, B, ...] draws
            long[] shape = l == 1 ? [k, .. mean.shape] : mean.shape;
            Tensor eps = randn(shape, dtype: mean.dtype, device: mean.device, generator: generator);
            z[l - 1] = mean + (0.5 * logvar).exp() * eps;
            logQ[l - 1] = Gaussians.LogDensityOfDraw(eps, logvar);
            below = z[l - 1];
            (topMean, topLogvar) = (l == 1 ? mean.expand(shape) : mean, l == 1 ? logvar.expand(shape) : logvar);
        }
        logP[layers - 1] = model.LogPrior(z[layers - 1], model.PriorComponents());
        for (int l = layers - 1; l >= 1; l--)
        {
            var (mean, logvar) = model.Conditional(l, z[l]);
            logP[l - 1] = Gaussians.LogDensity(z[l - 1], mean, logvar);
        }
        Tensor output = model.DecodeData(z[0]);
        Tensor logLikelihood = -Elbo.ReconstructionNll(model, output, target.unsqueeze(0).expand_as(output));
        return new HierarchySample(logLikelihood.MoveToOuterDisposeScope(),
            logP.Select(t => t.MoveToOuterDisposeScope()).ToArray(), logQ.Select(t => t.MoveToOuterDisposeScope()).ToArray(),
            topMean.MoveToOuterDisposeScope(), topLogvar.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Per-sample −ELBO terms [B] from one draw per input: Loss = −log p(x|z_1) + Σ_l β_l · KL_l, where KL_l is the layer's
    /// Monte Carlo KL (analytic for a standard-normal top layer), replaced by λ·D_l when the batch mean of KL_l is below it
    /// (free bits; <see cref="KlWeights.FreeBits"/> = λ). <see cref="ElboTerms.Kl"/> is Σ_l KL_l without either.
    /// </summary>
    public static ElboTerms Compute(HierarchicalVae model, Tensor x, KlWeights weights, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        HierarchySample s = Sample(model, x, 1, generator);
        Tensor reconstruction = -s.LogLikelihood[0];
        Tensor kl = zeros_like(reconstruction), loss = reconstruction;
        for (int l = 0; l < model.Layers; l++)
        {
            bool analytic = l == model.Layers - 1 && model.Prior == PriorKind.StandardNormal;
            Tensor layerKl = analytic ? Elbo.GaussianKl(s.TopMean[0], s.TopLogvar[0]) : s.LogPosterior[l][0] - s.LogPrior[l][0];
            kl = kl + layerKl;
            loss = loss + weights.Beta(l) * FreeBits(layerKl, weights.FreeBits * model.LatentSizes[l]);
        }
        return new ElboTerms(loss.MoveToOuterDisposeScope(), reconstruction.MoveToOuterDisposeScope(), kl.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The per-sample KL as the objective counts it under free bits: itself when its batch mean is at least
    /// <paramref name="floor"/> nats, else the constant <paramref name="floor"/> (no gradient: the layer is not pushed
    /// towards the prior while it carries less than that). A floor of 0 keeps the KL as it is.
    /// </summary>
    public static Tensor FreeBits(Tensor kl, double floor)
    {
        if (floor <= 0) return kl;
        using var batchMean = kl.mean().detach();
        return batchMean.item<float>() >= floor ? kl : full_like(kl, floor);
    }
}
