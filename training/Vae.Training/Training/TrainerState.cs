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

    /// <summary>Restores a generator from <see cref="Capture"/>'s text.</summary>
    public static void Restore(Generator generator, string state)
    {
        byte[] bytes = Convert.FromBase64String(state);
        using Tensor t = tensor(bytes, ScalarType.Byte);
        generator.set_state(t);
    }

    /// <summary>Reads <c>state.json</c> from a <c>last/</c> checkpoint folder (put back first if a crash left it moved
    /// aside, <see cref="Checkpoint.Recover"/>).</summary>
    /// <exception cref="FileNotFoundException">The folder holds no trainer state.</exception>
    /// <exception cref="InvalidDataException">state.json is empty or not valid JSON for a trainer state.</exception>
    public static TrainerState Load(string folder)
    {
        Checkpoint.Recover(folder);
        string path = Path.Combine(folder, File);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{path} is missing; resuming needs the '{Checkpoint.LastFolder}' checkpoint of an earlier run.", path);
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(System.IO.File.ReadAllText(path), VaeConfig.JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty; expected the trainer state object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid trainer state: {e.Message}", e);
        }
    }
}
