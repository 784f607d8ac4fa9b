using System.Text.Json;
using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>
/// Where a run stands after an epoch; saved as <c>last/state.json</c> so a resumed run continues exactly:
/// the epoch, early-stopping bookkeeping and the states of the shuffling and noise generators
/// (the optimiser state is <c>last/optimizer.bin</c>).
/// </summary>
public sealed record TrainerState
{
    public const string File = "state.json", OptimizerFile = "optimizer.bin";

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; init; }

    /// <summary>Best validation −ELBO so far (null before the first epoch).</summary>
    public double? BestValue { get; init; }

    /// <summary>Epoch of <see cref="BestValue"/>.</summary>
    public int BestEpoch { get; init; }

    /// <summary>Epochs since the best one (early stopping).</summary>
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>Seconds of training so far, over all sessions of the run.</summary>
    public double Seconds { get; init; }

    /// <summary>Shuffling generator state (base64 of its bytes).</summary>
    public string ShuffleGenerator { get; init; } = "";

    /// <summary>ε and binarisation generator state (base64 of its bytes).</summary>
    public string NoiseGenerator { get; init; } = "";

    /// <summary>The options the run was started with (a resumed run must use the same ones).</summary>
    public TrainOptions? Options { get; init; }

    /// <summary>A generator's state as base64.</summary>
    public static string Capture(Generator generator)
    {
        using Tensor state = generator.get_state();
        return Convert.ToBase64String(state.data<byte>().ToArray());
    }

    /// <summary>Restores a generator from <see cref="Capture"/>'s text, after checking that libtorch will accept it: libtorch
    /// aborts the whole process (it does not throw) on a state of the wrong size or with an invalid Mersenne Twister position.</summary>
    /// <exception cref="FormatException">The text is not base64.</exception>
    /// <exception cref="ArgumentException">The bytes are not a state of a generator on <paramref name="generator"/>'s device.</exception>
    public static void Restore(Generator generator, string state)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(state);
        byte[] bytes = Convert.FromBase64String(state);
        GeneratorState.Check(bytes, generator.device);
        using Tensor t = tensor(bytes, ScalarType.Byte);
        generator.set_state(t);
    }

    /// <summary>Reads <c>state.json</c> from a <c>last/</c> checkpoint folder (put back first if a crash left it moved
    /// aside, <see cref="Checkpoint.Recover"/>).</summary>
    /// <exception cref="FileNotFoundException">The folder holds no trainer state.</exception>
    /// <exception cref="InvalidDataException">state.json is empty, not valid JSON for a trainer state, or holds a value out of
    /// range (the message names the file and the field).</exception>
    public static TrainerState Load(string folder)
    {
        Checkpoint.Recover(folder);
        string path = Path.Combine(folder, File);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{path} is missing; resuming needs the '{Checkpoint.LastFolder}' checkpoint of an earlier run.", path);
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(System.IO.File.ReadAllText(path), VaeConfig.JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty (null); expected the trainer state object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid trainer state: {e.Message}", e);
        }
        return state.Validate(path);
    }

    /// <summary>Checks the ranges a saved state must have (it is written after an epoch); <paramref name="path"/> names the file in errors.</summary>
    private TrainerState Validate(string path)
    {
        void Require(bool ok, string field, object? value, string expected)
        {
            if (!ok) throw new InvalidDataException($"{path}: '{field}' is {value ?? "null"}; expected {expected}.");
        }
        Require(Epoch >= 1, "epoch", Epoch, "the number of epochs done, at least 1");
        Require(BestEpoch >= 0 && BestEpoch <= Epoch, "best_epoch", BestEpoch, $"an epoch from 0 to {Epoch}");
        Require(EpochsWithoutImprovement >= 0 && EpochsWithoutImprovement <= Epoch, "epochs_without_improvement", EpochsWithoutImprovement, $"0 to {Epoch}");
        Require(double.IsFinite(Seconds) && Seconds >= 0, "seconds", Seconds, "a finite number of seconds ≥ 0");
        Require(BestValue is null || double.IsFinite(BestValue.Value), "best_value", BestValue, "a finite −ELBO or null");
        Require(ShuffleGenerator is { Length: > 0 }, "shuffle_generator", ShuffleGenerator, "the base64 state of the shuffling generator");
        Require(NoiseGenerator is { Length: > 0 }, "noise_generator", NoiseGenerator, "the base64 state of the noise generator");
        try
        {
            Options?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: 'options' holds a value out of range: {ExceptionText.Of(e)}", e);
        }
        return this;
    }
}
