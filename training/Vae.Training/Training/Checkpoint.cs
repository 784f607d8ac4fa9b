using System.Text.Json;
using Vae.Training.Models;

namespace Vae.Training.Training;

/// <summary>
/// A trained model on disk: <c>config.json</c> (the <see cref="VaeConfig"/>), <c>weights.bin</c>
/// (TorchSharp state) and <c>training.json</c> (options and figures). Loading refuses a folder without the config.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json", WeightsFile = "weights.bin", TrainingFile = "training.json";

    /// <summary>Saves the model into <paramref name="folder"/>, every file atomically.</summary>
    public static void Save(VaeModule model, string folder, object? training = null)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, WeightsFile), temp => model.save(temp));
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(model.Config, VaeConfig.JsonOptions));
        if (training is not null)
            AtomicFile.WriteAllText(Path.Combine(folder, TrainingFile), JsonSerializer.Serialize(training, VaeConfig.JsonOptions));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>. The caller owns (and disposes) the module.</summary>
    /// <exception cref="FileNotFoundException">config.json or weights.bin is missing.</exception>
    public static VaeModule Load(string folder)
    {
        string configPath = Path.Combine(folder, ConfigFile);
        string weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath} is missing; a checkpoint folder needs {ConfigFile} beside {WeightsFile}.", configPath);
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"{weightsPath} is missing.", weightsPath);
        VaeConfig config = JsonSerializer.Deserialize<VaeConfig>(File.ReadAllText(configPath), VaeConfig.JsonOptions)
            ?? throw new InvalidDataException($"{configPath} is empty.");
        VaeModule model = Create(config);
        model.load(weightsPath);
        return model;
    }

    /// <summary>A freshly initialised model for <paramref name="config"/>.</summary>
    public static VaeModule Create(VaeConfig config) => config.Architecture switch
    {
        Architecture.Mlp => new MlpVae(config),
        _ => throw new ArgumentException($"architecture {config.Architecture} is unknown.", nameof(config)),
    };

    /// <summary>Reads training.json of a checkpoint as compact JSON, or "{}" when absent.</summary>
    public static string ReadTrainingJson(string folder)
    {
        string path = Path.Combine(folder, TrainingFile);
        return File.Exists(path) ? System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.ToJsonString() : "{}";
    }
}
