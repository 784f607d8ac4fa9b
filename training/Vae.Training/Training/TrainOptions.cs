namespace Vae.Training.Training;

/// <summary>Optimisation settings; saved in <c>training.json</c> beside every checkpoint.
/// Defaults are those of the PyTorch VAE example.</summary>
public sealed record TrainOptions
{
    /// <summary>Passes over the training set (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per batch (default 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam learning rate (default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Seed for weights, shuffling and sampling (default 1). Same seed on CPU → same weights.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Weight of the KL term (default 1: the plain ELBO).</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public TrainOptions Validate()
    {
        if (Epochs <= 0) throw new ArgumentException($"{nameof(Epochs)} is {Epochs}; expected at least 1.", nameof(Epochs));
        if (BatchSize <= 0) throw new ArgumentException($"{nameof(BatchSize)} is {BatchSize}; expected at least 1.", nameof(BatchSize));
        if (!(LearningRate > 0)) throw new ArgumentException($"{nameof(LearningRate)} is {LearningRate}; expected > 0.", nameof(LearningRate));
        if (!(Beta >= 0)) throw new ArgumentException($"{nameof(Beta)} is {Beta}; expected ≥ 0.", nameof(Beta));
        return this;
    }
}

/// <summary>Figures of one finished epoch.</summary>
/// <param name="TrainLoss">Mean training loss per sample (reconstruction + β·KL).</param>
/// <param name="TestNegElbo">Test-set negative ELBO, nats per sample (β = 1, one z sample).</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double TestNegElbo, double TestReconstruction, double TestKl, double Seconds);
