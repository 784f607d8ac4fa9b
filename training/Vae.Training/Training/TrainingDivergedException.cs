namespace Vae.Training.Training;

/// <summary>Where a training run found a value that is not finite.</summary>
public enum DivergenceKind
{
    /// <summary>A batch's training loss (<see cref="TrainingDivergedException.Batch"/> names the batch).</summary>
    BatchLoss,
    /// <summary>The weights, after the last optimiser step of an epoch.</summary>
    Weights,
    /// <summary>The validation −ELBO after an epoch.</summary>
    Validation,
}

/// <summary>Training stopped because the loss, the weights or the validation figure became NaN or infinite;
/// checkpoints of earlier epochs are intact, and <see cref="SavedCheckpoint"/> names the one a run can resume from.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <param name="epoch">The epoch (1-based) in which training diverged.</param>
    /// <param name="kind">What was not finite.</param>
    /// <param name="value">The value found (the loss or the validation −ELBO); NaN for <see cref="DivergenceKind.Weights"/>.</param>
    /// <param name="batch">For <see cref="DivergenceKind.BatchLoss"/>, the batch (1-based); 0 otherwise.</param>
    /// <param name="savedCheckpoint">The last checkpoint folder saved before the divergence, or null when none was.</param>
    /// <param name="savedEpoch">The epoch of <paramref name="savedCheckpoint"/>.</param>
    /// <param name="inner">The same divergence found where the checkpoints were not known.</param>
    public TrainingDivergedException(int epoch, DivergenceKind kind, double value, int batch = 0, string? savedCheckpoint = null, int savedEpoch = 0, Exception? inner = null)
        : base(Describe(epoch, kind, value, batch) +
               $" Lower the learning rate ({nameof(TrainOptions)}.{nameof(TrainOptions.LearningRate)}) or clip gradients " +
               $"({nameof(TrainOptions)}.{nameof(TrainOptions.ClipNorm)}); " +
               (savedCheckpoint is null ? "no checkpoint of this run had been saved." : $"the checkpoint of epoch {savedEpoch} in {savedCheckpoint} is intact."), inner)
    {
        if (kind == DivergenceKind.BatchLoss) ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        Epoch = epoch;
        Kind = kind;
        Value = value;
        Batch = kind == DivergenceKind.BatchLoss ? batch : 0;
        SavedCheckpoint = savedCheckpoint;
    }

    /// <summary>The value found: the loss or the validation −ELBO; NaN for <see cref="DivergenceKind.Weights"/>.</summary>
    public double Value { get; }

    /// <summary>The last checkpoint folder saved before the divergence (a run resumes from it), or null when none was:
    /// no run folder, or the first epoch of a new run diverged.</summary>
    public string? SavedCheckpoint { get; }

    /// <summary>The epoch (1-based) in which training diverged.</summary>
    public int Epoch { get; }

    /// <summary>What was not finite.</summary>
    public DivergenceKind Kind { get; }

    /// <summary>The batch (1-based) whose loss was not finite when <see cref="Kind"/> is <see cref="DivergenceKind.BatchLoss"/>; 0 otherwise.</summary>
    public int Batch { get; }

    private static string Describe(int epoch, DivergenceKind kind, double value, int batch) => kind switch
    {
        DivergenceKind.BatchLoss => $"training diverged: loss is {value} at epoch {epoch}, batch {batch}.",
        DivergenceKind.Weights => $"training diverged: the weights hold NaN or infinity after the last step of epoch {epoch}.",
        DivergenceKind.Validation => $"training diverged: validation -ELBO is {value} after epoch {epoch}.",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"expected one of {string.Join(", ", Enum.GetNames<DivergenceKind>())}."),
    };
}
