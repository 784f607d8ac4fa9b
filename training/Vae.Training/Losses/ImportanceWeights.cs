using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Losses;

/// <summary>
/// Importance weights of Burda, Grosse &amp; Salakhutdinov (2016), "Importance Weighted Autoencoders":
/// log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x), z_i ~ q(z|x). The IWAE bound is
/// L_k = log (1/k) Σ_i w_i; it is the ELBO for k = 1 and tends to log p(x) as k grows.
/// </summary>
public static class ImportanceWeights
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>
    /// Draws <paramref name="k"/> z per input from q(z|x) with posterior (mean, logvar) [B, D] of the batch
    /// x [B, ...] (and y for conditional models) and returns the three log densities, each [k, B].
    /// </summary>
    public static ImportanceSample Sample(VaeModule model, Tensor x, Tensor? y, Tensor mean, Tensor logvar, int k, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        using var scope = NewDisposeScope();
        long batch = x.shape[0];
        long latent = mean.shape[1];
        Tensor std = (0.5 * logvar).exp();
        Tensor eps = randn([k, batch, latent], dtype: mean.dtype, device: mean.device, generator: generator);
        Tensor z = mean + std * eps;                                          // [k, B, D]
        Tensor logQ = -0.5 * (eps.pow(2) + logvar + Log2Pi).sum(-1);          // log q(z|x)
        Tensor logP = -0.5 * (z.pow(2) + Log2Pi).sum(-1);                     // log p(z)
        Tensor? yk = y?.unsqueeze(0).expand(k, -1, -1).reshape(k * batch, -1);
        Tensor output = model.Decode(z.reshape(k * batch, latent), yk).reshape(k, batch, -1);
        Tensor target = x.flatten(1).unsqueeze(0).expand_as(output);
        Tensor logPx = -Elbo.ReconstructionNll(model, output, target);        // log p(x|z)
        return new ImportanceSample(logPx.MoveToOuterDisposeScope(), logP.MoveToOuterDisposeScope(), logQ.MoveToOuterDisposeScope());
    }

    /// <summary>log w [k, B]: <see cref="Sample"/> combined with β = 1.</summary>
    public static Tensor LogWeights(VaeModule model, Tensor x, Tensor? y, Tensor mean, Tensor logvar, int k, Generator? generator = null)
    {
        ImportanceSample s = Sample(model, x, y, mean, logvar, k, generator);
        return s.LogWeights();
    }

    /// <summary>The bound log (1/k) Σ_i w_i per input [B] from log weights [k, B].</summary>
    public static Tensor Bound(Tensor logWeights) => logWeights.logsumexp(0) - Math.Log(logWeights.shape[0]);
}

/// <summary>Log densities of k posterior samples per input, each [k, B]; the tensors belong to the caller's dispose scope.</summary>
/// <param name="LogLikelihood">log p(x|z_i).</param>
/// <param name="LogPrior">log p(z_i) under N(0, I).</param>
/// <param name="LogPosterior">log q(z_i|x).</param>
public sealed record ImportanceSample(Tensor LogLikelihood, Tensor LogPrior, Tensor LogPosterior)
{
    /// <summary>log w = log p(x|z) + β (log p(z) − log q(z|x)); β = 1 gives the importance weights of the bound.</summary>
    public Tensor LogWeights(double beta = 1.0) => LogLikelihood + beta * (LogPrior - LogPosterior);
}
