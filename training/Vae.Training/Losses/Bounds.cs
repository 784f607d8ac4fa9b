using TorchSharp;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Losses;

/// <summary>
/// How the KL terms are weighted: β per stochastic layer (from the data up; KL warm-up sets them below 1) and the free-bits
/// floor λ in nats per latent unit (0: none).
/// </summary>
public sealed record KlWeights(IReadOnlyList<double> Betas, double FreeBits = 0)
{
    /// <summary>β = 1 for every layer, no free bits: the plain ELBO and the importance weights of the bound.</summary>
    public static KlWeights Unit { get; } = new([1.0]);

    /// <summary>One β for every layer.</summary>
    public static KlWeights Uniform(double beta, double freeBits = 0) => new([beta], freeBits);

    /// <summary>β of layer <paramref name="layer"/> (0-based from the data up); the last given β holds for the layers above.</summary>
    public double Beta(int layer) => Betas.Count == 0 ? 1.0 : Betas[Math.Min(layer, Betas.Count - 1)];
}

/// <summary>Per-sample terms of the importance-weighted bound, each [B]: the bound itself and, for the metrics, the
/// mean over the draws of −log p(x|z) and of the KL.</summary>
public sealed record IwaeTerms(Tensor Bound, Tensor Reconstruction, Tensor Kl);

/// <summary>
/// The training and evaluation objectives of every model family: the ELBO (one draw per input) and the importance-weighted
/// bound of k draws, for one-layer models (<see cref="Elbo"/>, <see cref="ImportanceWeights"/>) and for
/// <see cref="HierarchicalVae"/> (<see cref="HierarchicalElbo"/>).
/// </summary>
public static class Bounds
{
    /// <summary>Per-sample −ELBO terms [B] of one draw per input, KL weighted by <paramref name="weights"/>.</summary>
    public static ElboTerms NegElbo(VaeModule model, Tensor x, Tensor? y, KlWeights weights, Generator? generator = null) =>
        NegElbo(model, x, x, null, y, weights, generator);

    /// <summary>Per-sample −ELBO terms [B] when the encoder reads <paramref name="input"/> (x with values hidden or corrupted:
    /// missing-data and denoising training) and the reconstruction is scored against x on the values <paramref name="scored"/>
    /// (bool or 0/1, x's shape; null: all of them, <see cref="MaskedElbo"/> otherwise). Any q(z | input) gives a valid bound.</summary>
    /// <exception cref="ArgumentException">A <see cref="HierarchicalVae"/> is given a label, a damaged input or a mask.</exception>
    public static ElboTerms NegElbo(VaeModule model, Tensor input, Tensor x, Tensor? scored, Tensor? y, KlWeights weights, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is HierarchicalVae hierarchical)
        {
            RequireCleanInput(input, x, scored, y);
            return HierarchicalElbo.Compute(hierarchical, x, weights, generator);
        }
        VaeOutput output = model.Forward(input, y, generator);
        ElboTerms terms = scored is null ? Elbo.Compute(model, output, x, weights.Beta(0)) : MaskedElbo.Compute(model, output, x, scored, weights.Beta(0));
        if (weights.FreeBits <= 0) return terms;
        return terms with { Loss = terms.Reconstruction + weights.Beta(0) * HierarchicalElbo.FreeBits(terms.Kl, weights.FreeBits * model.Config.LatentSize) };
    }

    /// <summary>log w [k, B] of <paramref name="k"/> draws per input (β = 1: the importance weights of log p(x)).</summary>
    public static Tensor LogWeights(VaeModule model, Tensor x, Tensor? y, int k, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is HierarchicalVae hierarchical)
        {
            using var scope = NewDisposeScope();
            return HierarchicalElbo.Sample(hierarchical, x, k, generator).LogWeights(KlWeights.Unit).MoveToOuterDisposeScope();
        }
        using var outer = NewDisposeScope();
        var (mean, logvar) = model.Encode(x, y);
        return ImportanceWeights.LogWeights(model, x, y, mean, logvar, k, generator).MoveToOuterDisposeScope();
    }

    /// <summary>The importance-weighted bound of <paramref name="k"/> draws per input with β-weighted log weights, and its metrics.</summary>
    public static IwaeTerms Iwae(VaeModule model, Tensor x, Tensor? y, int k, KlWeights weights, Generator? generator = null) =>
        Iwae(model, x, x, y, k, weights, generator);

    /// <summary>The importance-weighted bound when the encoder reads <paramref name="input"/> (x corrupted: denoising training)
    /// and the draws are scored against x.</summary>
    /// <exception cref="ArgumentException">A <see cref="HierarchicalVae"/> is given a label or a damaged input.</exception>
    public static IwaeTerms Iwae(VaeModule model, Tensor input, Tensor x, Tensor? y, int k, KlWeights weights, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        if (model is HierarchicalVae hierarchical)
        {
            RequireCleanInput(input, x, null, y);
            HierarchySample h = HierarchicalElbo.Sample(hierarchical, x, k, generator);
            return new IwaeTerms(ImportanceWeights.Bound(h.LogWeights(weights)).MoveToOuterDisposeScope(),
                                 (-h.LogLikelihood.detach().mean([0])).MoveToOuterDisposeScope(), h.Kl().detach().mean([0]).MoveToOuterDisposeScope());
        }
        var (mean, logvar) = model.Encode(input, y);
        ImportanceSample s = ImportanceWeights.Sample(model, x, y, mean, logvar, k, generator);
        return new IwaeTerms(ImportanceWeights.Bound(s.LogWeights(weights.Beta(0))).MoveToOuterDisposeScope(),
                             (-s.LogLikelihood.detach().mean([0])).MoveToOuterDisposeScope(), Elbo.GaussianKl(mean, logvar).detach().MoveToOuterDisposeScope());
    }

    // The hierarchy's bound reads x itself in every layer; denoising and missing-data training are for one-layer models.
    private static void RequireCleanInput(Tensor input, Tensor x, Tensor? scored, Tensor? y)
    {
        if (y is not null) throw new ArgumentException($"{nameof(HierarchicalVae)} is not conditional; pass no label (y).", nameof(y));
        if (!ReferenceEquals(input, x) || scored is not null)
            throw new ArgumentException($"{nameof(HierarchicalVae)} scores the input it reads; denoising and missing-data training ({nameof(TrainOptions)}.{nameof(TrainOptions.Denoise)}, " +
                                        $"{nameof(TrainOptions)}.{nameof(TrainOptions.Missing)}) are for the mlp and conv architectures.", nameof(input));
    }
}
