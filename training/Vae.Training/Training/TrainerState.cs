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

    /// <summary>SHA-256 (hexadecimal) of the checkpoint's weights.bin, written with it; null in states saved before it was recorded.</summary>
    public string? WeightsSha256 { get; init; }

    /// <summary>SHA-256 (hexadecimal) of optimizer.bin, written with it; null in states saved before it was recorded.
    /// TorchSharp's reader of that format hands element types read from the file to libtorch, which on a damaged byte may
    /// end the process instead of raising an error: a file whose digest differs never reaches it.</summary>
    public string? OptimizerSha256 { get; init; }

    /// <summary>This state with the digests of the weights and optimiser files of <paramref name="folder"/>.</summary>
    public TrainerState Sealed(string folder) => this with
    {
        WeightsSha256 = Digest(Path.Combine(folder, Checkpoint.WeightsFile)),
        OptimizerSha256 = Digest(Path.Combine(folder, OptimizerFile)),
    };

    /// <summary>Checks the weights and optimiser files of <paramref name="folder"/> against the digests recorded with them
    /// (nothing to check in a state saved without them).</summary>
    /// <exception cref="InvalidDataException">A file is not the one saved with this state (damaged, or replaced).</exception>
    public void CheckFiles(string folder)
    {
        foreach (var (file, recorded) in new[] { (Checkpoint.WeightsFile, WeightsSha256), (OptimizerFile, OptimizerSha256) })
        {
            string path = Path.Combine(folder, file);
            if (recorded is null || !System.IO.File.Exists(path)) continue;   // a missing file is named where it is read
            string actual = Digest(path);
            if (!string.Equals(actual, recorded, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{path} is damaged or was replaced: its SHA-256 is {actual}, but {Path.Combine(folder, File)} recorded {recorded} when it was saved.");
        }
    }

    private static string Digest(string path)
    {
        using FileStream stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

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

    private static bool IsDigest(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);

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
        Require(ShuffleGenerator is { Length: > 0 }, "shuffle_generator", ShuffleGenerator is null ? null : "empty", "the base64 state of the shuffling generator");
        Require(NoiseGenerator is { Length: > 0 }, "noise_generator", NoiseGenerator is null ? null : "empty", "the base64 state of the noise generator");
        Require(WeightsSha256 is null || IsDigest(WeightsSha256), "weights_sha256", WeightsSha256, "64 hexadecimal digits (the SHA-256 of weights.bin) or null");
        Require(OptimizerSha256 is null || IsDigest(OptimizerSha256), "optimizer_sha256", OptimizerSha256, "64 hexadecimal digits (the SHA-256 of optimizer.bin) or null");
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
