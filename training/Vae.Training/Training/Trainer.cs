using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using Vae.Inference;
using Vae.Training.Data;
using Vae.Training.Losses;
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
public sealed class Trainer
{
    private readonly VaeModule model;
    private readonly TrainOptions options;
    private readonly Device device;
    private (string? Folder, int Epoch) lastSaved;   // the last/ checkpoint of the run in progress, for the divergence message

    /// <param name="model">The model to train, in place; the caller keeps ownership.</param>
    /// <param name="device">Where to train (default CPU); the model is moved there.</param>
    public Trainer(VaeModule model, TrainOptions options, Device? device = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        this.device = device ?? CPU;
        model.to(this.device);
    }

    /// <summary>Called after every batch.</summary>
    public Action<BatchProgress>? OnBatch { get; init; }

    /// <summary>Called after every epoch, once its checkpoints and metrics are written.</summary>
    public Action<EpochMetrics>? OnEpoch { get; init; }

    /// <summary>Why the last <see cref="Fit"/> stopped: "all epochs done", "early stopping" or "time limit".</summary>
    public string StopReason { get; private set; } = "";

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
        if (runFolder is not null) OutputPath.CheckFolder(runFolder, "run folder");
        InputNormalization? normalization = train.Normalization;
        if (normalization is { IsFitted: true } && test?.Normalization is { } testNormalization && !testNormalization.Equals(normalization))
            throw new ArgumentException($"the test data was normalised as {testNormalization.Describe()}, not with the statistics fitted on the training data ({normalization.Describe()}); " +
                                        "read the test set with DataOptions.Normalization = the training set's Normalization (its figures would not be comparable).", nameof(test));
        model.InputNormalization = normalization;
        var (trainPart, validationPart) = DataSplit.HoldOut(train, options.ValidationSize, options.Seed);
        using TensorSet trainSet = TensorSet.From(trainPart, model, "training data", device);
        using TensorSet? validationSet = validationPart is null ? null : Evaluable(TensorSet.From(validationPart, model, "validation data", device));
        using TensorSet? testSet = test is null ? null : Evaluable(TensorSet.From(test, model, "test data", device));
        using var shuffle = new Generator((ulong)options.Seed, device);
        using var noise = new Generator((ulong)options.Seed + 1, device);
        using optim.Optimizer optimizer = CreateOptimizer();

        // a new run's starting point; a resumed one goes on from last/'s weights
        if (!resume && options.OutputBias == OutputBiasInit.DataMean) OutputBias.StartAtDataMean(model, trainSet.X);
        var state = new TrainerState { Options = options };
        var history = new List<EpochMetrics>();
        MetricsLog? log = runFolder is null ? null : new MetricsLog(Path.Combine(runFolder, MetricsLog.File));
        lastSaved = (null, 0);
        if (resume)
        {
            state = RestoreLast(runFolder!, optimizer, shuffle, noise, (trainPart.Count, validationPart?.Count ?? 0, test?.Count ?? 0));
            history.AddRange(log!.Read(state.Epoch));
            lastSaved = (Path.Combine(runFolder!, Checkpoint.LastFolder), state.Epoch);
        }
        StopReason = "all epochs done";
        for (int epoch = state.Epoch + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = options.LearningRateAt(epoch, state.Seconds);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            var (trainLoss, trainMetrics) = TrainEpoch(trainSet, optimizer, shuffle, noise, epoch);
            // each batch's loss was finite, but the last step can still leave non-finite weights: never checkpoint them
            if (!WeightsFinite()) throw new TrainingDivergedException(epoch, 0, double.NaN, lastSaved.Folder, lastSaved.Epoch);

            int evalBatch = Math.Max(options.BatchSize, 1000);
            SetMetrics? validation = validationSet is null ? null : Evaluation.NegElbo(model, validationSet, evalBatch, options.Seed);
            SetMetrics? testMetrics = testSet is null ? null : Evaluation.NegElbo(model, testSet, evalBatch, options.Seed);
            TensorSet? unitsSet = validationSet ?? testSet;
            int activeUnits = unitsSet is null ? -1 : Evaluation.ActiveUnits(model, unitsSet, evalBatch);
            if (validation is { } v && !double.IsFinite(v.NegElbo))
                throw new TrainingDivergedException(epoch, -1, v.NegElbo, lastSaved.Folder, lastSaved.Epoch);

            bool improved = validation is null || state.BestValue is null || validation.NegElbo < state.BestValue;
            double seconds = clock.Elapsed.TotalSeconds;
            state = state with
            {
                Epoch = epoch,
                BestValue = improved ? validation?.NegElbo ?? state.BestValue : state.BestValue,
                BestEpoch = improved ? epoch : state.BestEpoch,
                EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
                Seconds = state.Seconds + seconds,
                ShuffleGenerator = TrainerState.Capture(shuffle),
                NoiseGenerator = TrainerState.Capture(noise),
            };
            var metrics = new EpochMetrics(epoch, trainLoss, trainMetrics, validation, testMetrics, activeUnits, lr,
                                           options.BetaAt(epoch), seconds);
            history.Add(metrics);
            if (runFolder is not null)
            {
                var summary = Summary(metrics, trainPart.Count, validationPart?.Count ?? 0, test?.Count ?? 0);
                if (improved) Checkpoint.WriteFolder(Path.Combine(runFolder, Checkpoint.BestFolder), f => Checkpoint.Save(model, f, summary));
                // metrics.csv before last/: a run stopped between the two has a row of an epoch that --resume trains
                // again (and drops), never a checkpoint ahead of its rows (which resume cannot rebuild, and refuses)
                log!.Write(history);
                Checkpoint.WriteFolder(Path.Combine(runFolder, Checkpoint.LastFolder), f => SaveLast(f, summary, optimizer, state));
                lastSaved = (Path.Combine(runFolder, Checkpoint.LastFolder), epoch);
            }
            OnEpoch?.Invoke(metrics);
            if (options.Patience > 0 && state.EpochsWithoutImprovement >= options.Patience) { StopReason = "early stopping"; break; }
            // Stop when another epoch as long as this one would overrun the time budget.
            if (options.MaxMinutes > 0 && state.Seconds + seconds > options.MaxMinutes * 60) { StopReason = "time limit"; break; }
        }
        return history;
    }

    /// <summary>The set as evaluated: binarised once with the seed when the model trains on binarised pixels.</summary>
    private TensorSet Evaluable(TensorSet set)
    {
        if (!model.Config.Binarize) return set;
        using (set) return set.Binarized(options.Seed);
    }

    private (double Loss, SetMetrics Metrics) TrainEpoch(TensorSet data, optim.Optimizer optimizer, Generator shuffle, Generator noise, int epoch)
    {
        model.train();
        long n = data.Count;
        int batches = (int)((n + options.BatchSize - 1) / options.BatchSize);
        using Tensor order = randperm(n, generator: shuffle, device: device);
        using Tensor reconstructionSum = zeros(1, device: device), klSum = zeros(1, device: device);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            long start = (long)b * options.BatchSize;
            var (x, y) = data.Select(order.narrow(0, start, Math.Min(options.BatchSize, n - start)));
            if (model.Config.Binarize) x = bernoulli(x, noise);
            double beta = options.BetaAt(epoch - 1 + (double)b / batches);
            var (loss, reconstruction, kl) = Objective(x, y, noise, beta);
            double value = loss.item<float>();
            if (!double.IsFinite(value)) throw new TrainingDivergedException(epoch, b + 1, value, lastSaved.Folder, lastSaved.Epoch);
            optimizer.zero_grad();
            loss.backward();
            if (options.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), options.ClipNorm);
            optimizer.step();
            using (no_grad())
            {
                reconstructionSum.add_(reconstruction.sum());
                klSum.add_(kl.sum());
            }
            total += value;
            OnBatch?.Invoke(new BatchProgress(epoch, b + 1, batches, total / Math.Min(n, start + x.shape[0])));
        }
        double r = reconstructionSum.item<float>() / n, k = klSum.item<float>() / n;
        return (total / n, new SetMetrics(r + k, r, k));
    }

    /// <summary>Summed batch objective and the per-sample reconstruction and KL (detached).</summary>
    private (Tensor Loss, Tensor Reconstruction, Tensor Kl) Objective(Tensor x, Tensor? y, Generator noise, double beta)
    {
        if (options.Samples == 1)
        {
            ElboTerms terms = Elbo.Compute(model, model.Forward(x, y, noise), x, beta);
            return (terms.Loss.sum(), terms.Reconstruction.detach(), terms.Kl.detach());
        }
        var (mean, logvar) = model.Encode(x, y);
        ImportanceSample sample = ImportanceWeights.Sample(model, x, y, mean, logvar, options.Samples, noise);
        Tensor bound = ImportanceWeights.Bound(sample.LogWeights(beta));
        return (-bound.sum(), -sample.LogLikelihood.detach().mean([0]), Elbo.GaussianKl(mean, logvar).detach());
    }

    private optim.Optimizer CreateOptimizer() => options.Optimizer switch
    {
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
        _ => optim.Adam(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
    };

    private object Summary(EpochMetrics m, int trainCount, int validationCount, int testCount) => new
    {
        options,
        epochs = m.Epoch,
        train_neg_elbo = m.Train.NegElbo,
        val_neg_elbo = m.Validation?.NegElbo,
        test_neg_elbo = m.Test?.NegElbo,
        active_units = m.ActiveUnits,
        train_count = trainCount,
        validation_count = validationCount,
        test_count = testCount,
    };

    private void SaveLast(string folder, object summary, optim.Optimizer optimizer, TrainerState state)
    {
        Checkpoint.Save(model, folder, summary);
        ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(Path.Combine(folder, TrainerState.OptimizerFile));
        File.WriteAllText(Path.Combine(folder, TrainerState.File), JsonSerializer.Serialize(state, VaeConfig.JsonOptions));
    }

    private bool WeightsFinite()
    {
        using var _ = no_grad();
        foreach (var p in model.parameters())
        {
            using Tensor finite = isfinite(p).all();
            if (!finite.item<bool>()) return false;
        }
        return true;
    }

    private TrainerState RestoreLast(string runFolder, optim.Optimizer optimizer, Generator shuffle, Generator noise,
                                     (int Train, int Validation, int Test) counts)
    {
        string last = Path.Combine(runFolder, Checkpoint.LastFolder);
        TrainerState state = TrainerState.Load(last);
        CheckSameCounts(last, counts);
        VaeConfig saved = VaeConfig.Load(Path.Combine(last, Checkpoint.ConfigFile));
        if (!saved.SameAs(model.Config))
            throw new ArgumentException($"{last} holds a model with a different config; resume with the run's own settings.\nsaved: {saved.ToJson()}\nnow: {model.Config.ToJson()}");
        if (state.Options is { } before && before with { Epochs = options.Epochs, MaxMinutes = options.MaxMinutes } != options)
            throw new ArgumentException($"{last} was trained with other options ({JsonSerializer.Serialize(before, VaeConfig.JsonOptions)}); resume with the same ones (only --epochs and --max-minutes may change).");
        InputNormalization? recorded = Checkpoint.ReadNormalization(last);
        if (recorded is not null && model.InputNormalization is { } normalization && !recorded.Equals(normalization))
            throw new ArgumentException($"{last} was trained on data normalised as {recorded.Describe()}; the data given now is normalised as {normalization.Describe()}. " +
                                        "Resume with the run's data and reading options.");
        Checkpoint.LoadWeights(model, Path.Combine(last, Checkpoint.WeightsFile));
        string optimizerPath = Path.Combine(last, TrainerState.OptimizerFile);
        try
        {
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(optimizerPath);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{optimizerPath} is not the optimiser state of this run ({e.Message}); it is truncated or from another model.", e);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{optimizerPath} is missing; --resume needs the whole '{Checkpoint.LastFolder}' checkpoint of an earlier run.", optimizerPath, e);
        }
        string statePath = Path.Combine(last, TrainerState.File);
        try
        {
            TrainerState.Restore(shuffle, state.ShuffleGenerator);
            TrainerState.Restore(noise, state.NoiseGenerator);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or System.Runtime.InteropServices.ExternalException)
        {
            throw new InvalidDataException($"{statePath}: a generator state is damaged ({ExceptionText.Of(e)}).", e);
        }
        return state with { Options = options };
    }

    /// <summary>
    /// A resumed run must see the data it was trained on: the sample counts its <c>training.json</c> recorded are compared
    /// with this session's (a forgotten <c>--limit</c> silently went on with all 60,000 MNIST images).
    /// </summary>
    private static void CheckSameCounts(string last, (int Train, int Validation, int Test) counts)
    {
        string path = Path.Combine(last, Checkpoint.TrainingFile);
        // "{}" when absent (a checkpoint saved without figures records no counts); a damaged file or a count of the wrong type is an error naming it
        using JsonDocument json = JsonDocument.Parse(Checkpoint.ReadTrainingJson(last));
        if (json.RootElement.ValueKind != JsonValueKind.Object) return;
        foreach (var (name, now) in new[] { ("train_count", counts.Train), ("validation_count", counts.Validation), ("test_count", counts.Test) })
        {
            if (json.RootElement.TryGetProperty(name, out JsonElement saved) && saved.ValueKind == JsonValueKind.Number && saved.TryGetInt32(out int before) && before != now)
                throw new ArgumentException($"{path} says the run was trained with {name} {before:N0}, but this session has {now:N0}; " +
                                            "resume with the same data options (--data, --limit, --test-data, ...) as the run.");
        }
    }

    /// <summary>A data set as one float tensor of shape [N, ...SampleShape]. The caller disposes it.</summary>
    public static Tensor ToTensor(Dataset data) => Evaluation.ToTensor(data);
}

/// <summary>Training stopped because the loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <param name="epoch">The epoch (1-based) in which the loss diverged.</param>
    /// <param name="batch">The batch (1-based) whose loss was not finite; 0 when the weights were after the epoch's last step; −1 when the validation figure was.</param>
    /// <param name="loss">The figure that was not finite.</param>
    /// <param name="savedCheckpoint">The checkpoint folder saved before the divergence (a run can resume from it), or null when none was saved.</param>
    /// <param name="savedEpoch">The epoch of <paramref name="savedCheckpoint"/>.</param>
    public TrainingDivergedException(int epoch, int batch, double loss, string? savedCheckpoint = null, int savedEpoch = 0)
        : base((batch switch
        {
            > 0 => $"training diverged: loss is {loss} at epoch {epoch}, batch {batch}.",
            0 => $"training diverged: the weights hold NaN or infinity after the last step of epoch {epoch}.",
            _ => $"training diverged: validation -ELBO is {loss} after epoch {epoch}.",
        }) + " Lower the learning rate or clip gradients (--clip-norm); " +
            (savedCheckpoint is null ? "no checkpoint had been saved." : $"the checkpoint of epoch {savedEpoch} in {savedCheckpoint} is intact."))
    {
        Epoch = epoch;
        Batch = batch;
        SavedCheckpoint = savedCheckpoint;
    }

    /// <summary>The epoch (1-based) in which the loss diverged.</summary>
    public int Epoch { get; }

    /// <summary>The batch (1-based) whose loss was not finite; 0 when the weights were after the epoch's last step; −1 when the validation figure was.</summary>
    public int Batch { get; }

    /// <summary>The last checkpoint folder saved before the divergence, or null when none was (no run folder, or the first epoch diverged).</summary>
    public string? SavedCheckpoint { get; }
}
