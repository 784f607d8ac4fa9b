namespace Vae.Training.Training;

/// <summary>Why <see cref="Trainer.Fit"/> stopped before or at <see cref="TrainOptions.Epochs"/>.</summary>
public enum TrainingStopReason
{
    /// <summary>Every epoch up to <see cref="TrainOptions.Epochs"/> was trained.</summary>
    AllEpochsDone,
    /// <summary><see cref="TrainOptions.Patience"/> epochs passed without a better validation −ELBO.</summary>
    EarlyStopping,
    /// <summary>Another epoch as long as the last would have overrun <see cref="TrainOptions.MaxMinutes"/>.</summary>
    TimeLimit,
}
