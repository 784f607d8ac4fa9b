using System.Diagnostics;
using TorchSharp;
using Vae.Inference;
using Vae.Training.Data;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>Progress inside an epoch: batches done of all, and the running mean training loss per sample.</summary>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double RunningLoss);

/// <summary>
/// Trains a <see cref="VaeModule"/> on in-memory data: β-weighted ELBO with linear KL warm-up or the IWAE bound,
/// Adam/AdamW with a learning-rate schedule and gradient clipping, one dispose scope per batch. After every
/// epoch it evaluates the validation (and test) set and, given a run folder, writes <c>best/</c>, <c>last/</c>
/// and <c>metrics.csv</c>; <see cref="Fit"/> with <c>resume</c> continues a run from <c>last/</c>.
/// </summary>
/// <remarks>This class is the epoch loop and its stopping rules; one epoch's optimisation is <c>TrainingPass</c>, the
/// held-out figures <c>EpochEvaluation</c>, and what is written to the run folder and read back on resume <c>RunCheckpoints</c>.</remarks>
public sealed class Trainer
{
    private readonly VaeModule model;
    private readonly TrainOptions options;
    private readonly Device device;

    /// <param name="model">The model to train, in place; the caller keeps ownership.</param>
    /// <param name="device">Where to train (default CPU); the model is moved there.</param>
    /// <exception cref="ArgumentException">The options are invalid, or ask a hierarchical model for denoising or missing-data training.</exception>
    public Trainer(VaeModule model, TrainOptions options, Device? device = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (model is HierarchicalVae && (options.Denoise is not null || options.Missing is not null))
            throw new ArgumentException($"{nameof(TrainOptions)}.{(options.Denoise is not null ? nameof(TrainOptions.Denoise) : nameof(TrainOptions.Missing))} is set; " +
                                        "denoising and missing-data training are for the mlp and conv architectures, not the hierarchical one.", nameof(options));
        this.device = device ?? CPU;
        model.to(this.device);
    }

    /// <summary>Called after every batch.</summary>
    public Action<BatchProgress>? OnBatch { get; init; }

    /// <summary>Called after every epoch, once its checkpoints and metrics are written.</summary>
    public Action<EpochMetrics>? OnEpoch { get; init; }

    /// <summary>Why the last <see cref="Fit"/> stopped; null before the first one has finished.</summary>
    public TrainingStopReason? StopReason { get; private set; }

    /// <summary>
    /// Trains for the remaining epochs. <see cref="TrainOptions.ValidationSize"/> samples of <paramref name="train"/>
    /// (chosen with the seed) are held out. With <paramref name="runFolder"/>, checkpoints and metrics.csv are
    /// written after each epoch; with <paramref name="resume"/>, the run continues from its <c>last/</c> checkpoint.
    /// Without it, every call is a new run from epoch 1 with a fresh optimiser, starting from the model's current weights
    /// (with <see cref="TrainOptions.OutputBias"/> = <see cref="OutputBiasInit.DataMean"/>, the decoder's output bias set from the training part first).
    /// </summary>
    /// <returns>The metrics of every epoch of the run (earlier sessions included when resuming).</returns>
    /// <remarks>The training data's <see cref="Dataset.Normalization"/> becomes the model's <see cref="VaeModule.InputNormalization"/>,
    /// saved beside every checkpoint (normalization.json) and exported with the model; when it was fitted on the training data (standard, minmax), <paramref name="test"/> must have been
    /// normalised with it.</remarks>
    /// <exception cref="ArgumentException">The data does not fit the model (shape, labels, or values outside [0, 1] for a Bernoulli likelihood),
    /// the test data was normalised otherwise than with the training data's fitted normalisation, or (resuming) the data otherwise than the run's.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the weights became NaN or infinite; checkpoints of earlier epochs are intact.</exception>
    public IReadOnlyList<EpochMetrics> Fit(Dataset train, Dataset? test = null, string? runFolder = null, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (resume && runFolder is null) throw new ArgumentException("resume needs the run folder.", nameof(resume));
        RunCheckpoints? checkpoints = runFolder is null ? null : new RunCheckpoints(runFolder, model, options);
        model.InputNormalization = TrainingNormalization(train, test);
        var (trainPart, validationPart) = DataSplit.HoldOut(train, options.ValidationSize, options.Seed);
        var counts = new SampleCounts(trainPart.Count, validationPart?.Count ?? 0, test?.Count ?? 0);
        using TensorSet trainSet = TensorSet.From(trainPart, model, "training data", device, allowMissing: options.Missing is not null);
        using var evaluation = new EpochEvaluation(model, options, validationPart, test, device);
        using var pass = new TrainingPass(model, options, device, OnBatch);

        // a new run's starting point; a resumed one goes on from last/'s weights
        if (!resume && options.OutputBias == OutputBiasInit.DataMean) OutputBias.StartAtDataMean(model, trainSet.X);
        var state = new TrainerState { Options = options };
        var history = new List<EpochMetrics>();
        if (resume)
        {
            (state, IReadOnlyList<EpochMetrics> earlier) = checkpoints!.Resume(pass, counts);
            history.AddRange(earlier);
        }
        StopReason = null;
        TrainingStopReason stop = TrainingStopReason.AllEpochsDone;
        for (int epoch = state.Epoch + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = options.LearningRateAt(epoch, state.Seconds);
            double trainLoss;
            SetMetrics trainMetrics;
            HeldOutMetrics heldOut;
            try
            {
                (trainLoss, trainMetrics) = pass.Run(trainSet, epoch, lr);
                heldOut = evaluation.Run(epoch);
            }
            catch (TrainingDivergedException e) when (checkpoints is not null && state.Epoch > 0 && e.SavedCheckpoint is null)
            {
                // the message names the checkpoint a resume starts from (without one, it says there is none)
                throw new TrainingDivergedException(e.Epoch, e.Kind, e.Value, e.Batch, Path.Combine(runFolder!, Checkpoint.LastFolder), state.Epoch, e);
            }

            bool improved = heldOut.Validation is null || state.BestValue is null || heldOut.Validation.NegElbo < state.BestValue;
            double seconds = clock.Elapsed.TotalSeconds;
            var (shuffleState, noiseState) = pass.CaptureGenerators();
            state = state with
            {
                Epoch = epoch,
                BestValue = improved ? heldOut.Validation?.NegElbo ?? state.BestValue : state.BestValue,
                BestEpoch = improved ? epoch : state.BestEpoch,
                EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
                Seconds = state.Seconds + seconds,
                ShuffleGenerator = shuffleState,
                NoiseGenerator = noiseState,
            };
            var metrics = new EpochMetrics(epoch, trainLoss, trainMetrics, heldOut.Validation, heldOut.Test, heldOut.ActiveUnits, lr,
                                           options.BetaAt(epoch), seconds);
            history.Add(metrics);
            checkpoints?.Save(history, improved, state, pass, counts);
            OnEpoch?.Invoke(metrics);
            if (StopsAfter(state, seconds) is { } reason)
            {
                stop = reason;
                break;
            }
        }
        StopReason = stop;
        return history;
    }

    /// <summary>Early stopping after <see cref="TrainOptions.Patience"/> epochs without improvement; the time budget when
    /// another epoch as long as the last would overrun it; null to go on.</summary>
    private TrainingStopReason? StopsAfter(TrainerState state, double lastEpochSeconds)
    {
        if (options.Patience > 0 && state.EpochsWithoutImprovement >= options.Patience) return TrainingStopReason.EarlyStopping;
        if (options.MaxMinutes > 0 && state.Seconds + lastEpochSeconds > options.MaxMinutes * 60) return TrainingStopReason.TimeLimit;
        return null;
    }

    /// <summary>The training data's normalisation, which the model records; test data must share a fitted one.</summary>
    private static InputNormalization? TrainingNormalization(Dataset train, Dataset? test)
    {
        InputNormalization? normalization = train.Normalization;
        if (normalization is { IsFitted: true } && test?.Normalization is { } testNormalization && !testNormalization.Equals(normalization))
            throw new ArgumentException($"the test data was normalised as {testNormalization.Describe()}, not with the statistics fitted on the training data ({normalization.Describe()}); " +
                                        "read the test set with DataOptions.Normalization = the training set's Normalization (its figures would not be comparable).", nameof(test));
        return normalization;
    }

    /// <summary>A data set as one float tensor of shape [N, ...SampleShape]. The caller disposes it.</summary>
    public static Tensor ToTensor(Dataset data) => Evaluation.ToTensor(data);
}
