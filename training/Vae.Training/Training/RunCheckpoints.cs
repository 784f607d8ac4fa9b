using System.Runtime.InteropServices;
using System.Text.Json;
using Vae.Inference;
using Vae.Training.Models;

namespace Vae.Training.Training;

/// <summary>
/// The checkpoint and resume policy of a run folder: after every epoch, <c>best/</c> when the validation −ELBO improved
/// (every epoch without a validation set), then <c>metrics.csv</c>, then <c>last/</c> with the optimiser and trainer
/// state; resuming restores all of it from <c>last/</c> after checking that the model, options and data are the run's.
/// </summary>
internal sealed class RunCheckpoints
{
    private readonly string folder;
    private readonly VaeModule model;
    private readonly TrainOptions options;
    private readonly MetricsLog log;

    /// <exception cref="ArgumentException"><paramref name="folder"/> is a file or lies under one.</exception>
    public RunCheckpoints(string folder, VaeModule model, TrainOptions options)
    {
        OutputPath.CheckFolder(folder, "run folder");
        this.folder = folder;
        this.model = model;
        this.options = options;
        log = new MetricsLog(Path.Combine(folder, MetricsLog.File));
    }

    private string Last => Path.Combine(folder, Checkpoint.LastFolder);

    /// <summary>Writes the checkpoints of the epoch <paramref name="history"/> ends with.</summary>
    public void Save(IReadOnlyList<EpochMetrics> history, bool improved, TrainerState state, TrainingPass pass, SampleCounts counts)
    {
        var summary = TrainingSummary.Of(history[^1], options, counts);
        if (improved) Checkpoint.WriteFolder(Path.Combine(folder, Checkpoint.BestFolder), f => Checkpoint.Save(model, f, summary));
        // metrics.csv before last/: a run stopped between the two has a row of an epoch that resuming trains
        // again (and drops), never a checkpoint ahead of its rows (which resume cannot rebuild, and refuses)
        log.Write(history);
        Checkpoint.WriteFolder(Last, f =>
        {
            Checkpoint.Save(model, f, summary);
            pass.SaveOptimizer(Path.Combine(f, TrainerState.OptimizerFile));
            // state.json last, with the digests of the binary files beside it: resuming checks them before reading those
            File.WriteAllText(Path.Combine(f, TrainerState.File), JsonSerializer.Serialize(state.Sealed(f), VaeConfig.JsonOptions));
        });
    }

    /// <summary>
    /// Puts the model, the optimiser and the generators back as <c>last/</c> left them, and returns the trainer state and
    /// the metrics of the epochs done. Refuses a run of another model config, other options (only
    /// <see cref="TrainOptions.Epochs"/> and <see cref="TrainOptions.MaxMinutes"/> may change), other sample counts or
    /// another input normalisation.
    /// </summary>
    /// <exception cref="ArgumentException">The run differs from this session as above.</exception>
    /// <exception cref="FileNotFoundException">A file of <c>last/</c> or metrics.csv is missing.</exception>
    /// <exception cref="InvalidDataException">A file of <c>last/</c> or metrics.csv is damaged (the message names it).</exception>
    public (TrainerState State, IReadOnlyList<EpochMetrics> History) Resume(TrainingPass pass, SampleCounts counts)
    {
        string last = Last;
        TrainerState state = TrainerState.Load(last);
        state.CheckFiles(last);
        CheckSameCounts(last, counts);
        VaeConfig saved = VaeConfig.Load(Path.Combine(last, Checkpoint.ConfigFile));
        if (!saved.SameAs(model.Config))
            throw new ArgumentException($"{last} holds a model with a different config; resume with the run's own settings.\nsaved: {saved.ToJson()}\nnow: {model.Config.ToJson()}");
        if (state.Options is { } before && before with { Epochs = options.Epochs, MaxMinutes = options.MaxMinutes } != options)
            throw new ArgumentException($"{last} was trained with other options ({JsonSerializer.Serialize(before, VaeConfig.JsonOptions)}); resume with the same ones (only {nameof(TrainOptions)}.{nameof(TrainOptions.Epochs)} and {nameof(TrainOptions)}.{nameof(TrainOptions.MaxMinutes)} may change).");
        InputNormalization? recorded = Checkpoint.ReadNormalization(last);
        if (recorded is not null && model.InputNormalization is { } normalization && !recorded.Equals(normalization))
            throw new ArgumentException($"{last} was trained on data normalised as {recorded.Describe()}; the data given now is normalised as {normalization.Describe()}. " +
                                        "Resume with the run's data and reading options.");
        Checkpoint.LoadWeights(model, Path.Combine(last, Checkpoint.WeightsFile));
        string optimizerPath = Path.Combine(last, TrainerState.OptimizerFile);
        try
        {
            pass.LoadOptimizer(optimizerPath);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{optimizerPath} is missing; resuming needs the whole '{Checkpoint.LastFolder}' checkpoint of an earlier run.", optimizerPath, e);
        }
        catch (Exception e) when (Checkpoint.IsDamage(e))
        {
            throw new InvalidDataException($"{optimizerPath} is not the optimiser state of this run ({Checkpoint.FirstLine(e.Message)}); it is damaged, truncated or from another model.", e);
        }
        try
        {
            pass.RestoreGenerators(state.ShuffleGenerator, state.NoiseGenerator);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or ExternalException)
        {
            throw new InvalidDataException($"{Path.Combine(last, TrainerState.File)}: a generator state is damaged ({ExceptionText.Of(e).TrimEnd('.')}).", e);
        }
        return (state with { Options = options }, log.Read(state.Epoch));
    }

    /// <summary>
    /// A resumed run must see the data it was trained on: the sample counts its <c>training.json</c> recorded are compared
    /// with this session's, so that another limit or data set is refused instead of silently trained on.
    /// </summary>
    private static void CheckSameCounts(string last, SampleCounts counts)
    {
        // a checkpoint saved without figures records no counts; a damaged summary is an error naming the file and field
        if (Checkpoint.ReadTrainingSummary(last) is not { } saved) return;
        foreach (var (name, before, now) in new[] { ("train_count", saved.TrainCount, counts.Train), ("validation_count", saved.ValidationCount, counts.Validation), ("test_count", saved.TestCount, counts.Test) })
        {
            if (before != now)
                throw new ArgumentException($"{Path.Combine(last, Checkpoint.TrainingFile)} says the run was trained with {name} {before:N0}, but this session has {now:N0}; " +
                                            $"resume with the same data, read with the same {nameof(Vae.Training.Data.DataOptions)}, as the run.");
        }
    }
}
