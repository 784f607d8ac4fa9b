namespace Vae.MLNet;

/// <summary>What the VAE step writes into its output column for each row.</summary>
public enum VaeEmbeddingKind
{
    /// <summary>The posterior mean μ(x): a vector of the model's latent size. Deterministic; the usual embedding.</summary>
    Mean,

    /// <summary>
    /// One draw z = μ + exp(½·logvar)·ε with ε ~ N(0, I): a vector of the latent size. ε depends only on
    /// <see cref="VaeEmbeddingOptions.Seed"/> and the row's id, so every scan of the same data gives the same z.
    /// </summary>
    Sample,

    /// <summary>μ followed by logvar: a vector of twice the latent size ([μ₁…μ_L, logvar₁…logvar_L]).</summary>
    MeanAndLogVar,

    /// <summary>
    /// Reconstruction error of the decoded mean, one value per row (a vector of size 1): −log p(x | z = μ) as
    /// <see cref="Vae.Inference.VaeModel.ReconstructionError(float[], int[])"/> computes it — the summed binary
    /// cross-entropy −Σ[x·log p + (1−x)·log(1−p)] for Bernoulli models (from the logits), the Gaussian negative
    /// log-likelihood with the model's σ otherwise.
    /// High values flag inputs unlike the training data.
    /// </summary>
    ReconstructionError,
}
