using System.Text.Json;
using Vae.Inference;
using Vae.Training.Models;

namespace Vae.Training.Training;

/// <summary>
/// A trained model on disk: <c>config.json</c> (the <see cref="VaeConfig"/>), <c>weights.bin</c> (TorchSharp
/// state), <c>training.json</c> (options and figures) and, when the training data's was known,
/// <c>normalization.json</c> (its <see cref="InputNormalization"/>, for the exporter and evaluation). A run folder written by <see cref="Trainer"/> holds two
/// such checkpoints, <c>best/</c> and <c>last/</c> (the latter also with the optimiser and trainer state for
/// resuming), and <c>metrics.csv</c>. Loading refuses a folder without the config.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json", WeightsFile = "weights.bin", TrainingFile = "training.json", NormalizationFile = "normalization.json";
    public const string BestFolder = "best", LastFolder = "last";

    /// <summary>Saves the model into <paramref name="folder"/>, every file atomically. Without <paramref name="training"/>,
    /// a training.json left there by an earlier save is deleted: it describes another model (its figures would be
    /// read back by <see cref="ReadTrainingJson"/> and exported as this model's training summary). Likewise the model's
    /// <see cref="VaeModule.InputNormalization"/> is written as normalization.json, and a stale one deleted when it is null.</summary>
    public static void Save(VaeModule model, string folder, TrainingSummary? training = null)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, WeightsFile), temp => model.save(temp));
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), model.Config.ToJson());
        if (training is not null)
            AtomicFile.WriteAllText(Path.Combine(folder, TrainingFile), training.ToJson());
        else
            File.Delete(Path.Combine(folder, TrainingFile));
        if (model.InputNormalization is { } normalization)
            AtomicFile.WriteAllText(Path.Combine(folder, NormalizationFile), normalization.ToJson());
        else
            File.Delete(Path.Combine(folder, NormalizationFile));
    }

    /// <summary>The input normalisation recorded in a checkpoint (or a run folder's best checkpoint), or null when none was.</summary>
    /// <exception cref="InvalidDataException">normalization.json is damaged (the message names it).</exception>
    public static InputNormalization? ReadNormalization(string folder)
    {
        string path = Path.Combine(Resolve(folder), NormalizationFile);
        if (!File.Exists(path)) return null;
        try
        {
            return InputNormalization.FromJson(File.ReadAllText(path), path);
        }
        catch (VaeModelException e)
        {
            throw new InvalidDataException($"{e.Message} It is the input normalisation the trainer writes beside the weights.", e);
        }
    }

    /// <summary>
    /// Writes a whole checkpoint folder atomically (<see cref="AtomicFolder.Write"/>): <paramref name="write"/> fills a
    /// temporary sibling folder, which then replaces <paramref name="folder"/> by renames, so a crash leaves the previous folder or the new one.
    /// </summary>
    public static void WriteFolder(string folder, Action<string> write) => AtomicFolder.Write(folder, write);

    /// <summary>
    /// Puts back a checkpoint folder that <see cref="WriteFolder"/> had moved aside when the process died between its two
    /// renames (<see cref="AtomicFolder.Recover"/>). Loading and resuming call it, so that crash costs one epoch, not the run.
    /// </summary>
    /// <returns>True when a folder was put back.</returns>
    public static bool Recover(string folder) => AtomicFolder.Recover(folder);

    /// <summary>The checkpoint folder to load for <paramref name="folder"/>: the folder itself when it holds
    /// config.json, else its <c>best/</c> (a run folder).</summary>
    public static string Resolve(string folder)
    {
        Recover(folder);
        Recover(Path.Combine(folder, BestFolder));
        if (File.Exists(Path.Combine(folder, ConfigFile))) return folder;
        string best = Path.Combine(folder, BestFolder);
        if (File.Exists(Path.Combine(best, ConfigFile))) return best;
        throw new FileNotFoundException($"{Path.Combine(folder, ConfigFile)} is missing; expected a checkpoint folder (config.json beside weights.bin) or a run folder with {BestFolder}/.", Path.Combine(folder, ConfigFile));
    }

    /// <summary>Loads a checkpoint (or a run folder's best checkpoint), with its <see cref="VaeModule.InputNormalization"/>.
    /// The caller owns (and disposes) the module.</summary>
    /// <exception cref="FileNotFoundException">config.json or weights.bin is missing.</exception>
    /// <exception cref="InvalidDataException">config.json is not a valid config, weights.bin is truncated or
    /// holds the weights of another model than config.json describes, or normalization.json is damaged.</exception>
    public static VaeModule Load(string folder)
    {
        folder = Resolve(folder);
        string weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"{weightsPath} is missing; a checkpoint folder needs {WeightsFile} beside {ConfigFile}.", weightsPath);
        VaeModule model = Create(VaeConfig.Load(Path.Combine(folder, ConfigFile)));
        try
        {
            LoadWeights(model, weightsPath);
            model.InputNormalization = ReadNormalization(folder);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads <paramref name="weightsPath"/> into <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or not TorchSharp weights of a model with
    /// <paramref name="model"/>'s config (TorchSharp's own error would name neither the file nor the config).</exception>
    internal static void LoadWeights(VaeModule model, string weightsPath)
    {
        try
        {
            model.load(weightsPath);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidDataException($"{weightsPath} does not hold the weights of the model its {ConfigFile} describes " +
                                           $"({model.Config.Architecture}, input [{string.Join(", ", model.Config.InputShape)}], latent {model.Config.LatentSize}): " +
                                           $"{FirstLine(e.Message)} The file is damaged, truncated or belongs to another model.", e);
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/>, thrown while TorchSharp parsed a file of its own binary format (weights, optimiser
    /// state), says that the bytes are not such a file: its parser reports damage in many ways — a bad 7-bit length
    /// (FormatException), a length that overflows or cannot be allocated, a mismatched key, type or shape
    /// (ArgumentException), an element type libtorch does not know (ExternalException from c10), the end of the stream.
    /// A missing or unreadable file is not damage: it keeps its own exception.
    /// </summary>
    internal static bool IsDamage(Exception e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or OperationCanceledException);

    /// <summary>The first line of a message (libtorch appends its C++ stack to the messages of its errors).</summary>
    internal static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>A freshly initialised model for <paramref name="config"/> (from the global TorchSharp generator).</summary>
    public static VaeModule Create(VaeConfig config) => config.Architecture switch
    {
        Architecture.Mlp => new MlpVae(config),
        Architecture.Conv => new ConvVae(config),
        Architecture.Hierarchical => new HierarchicalVae(config),
        _ => throw new ArgumentException($"architecture {config.Architecture} is unknown; expected mlp, conv or hierarchical.", nameof(config)),
    };

    /// <summary>The training summary of a checkpoint (or of a run folder's best checkpoint), or null when it has none.</summary>
    /// <exception cref="InvalidDataException">training.json is not valid JSON, or a field is missing or of the wrong type (the message names the file and the field).</exception>
    public static TrainingSummary? ReadTrainingSummary(string folder)
    {
        string path = TrainingPath(folder);
        return File.Exists(path) ? TrainingSummary.FromJson(File.ReadAllText(path), path) : null;
    }

    private static string TrainingPath(string folder) =>
        Path.Combine(File.Exists(Path.Combine(folder, TrainingFile)) ? folder : Path.Combine(folder, BestFolder), TrainingFile);

    /// <summary>Reads training.json of a checkpoint (or of a run folder's best checkpoint) as compact JSON, or "{}" when absent:
    /// the text an export carries into the model's metadata as it is (fields of other versions included).</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON, not an object, or a field the trainer writes has
    /// the wrong type or is out of range (the message names the file and the field).</exception>
    public static string ReadTrainingJson(string folder)
    {
        string path = TrainingPath(folder);
        if (!File.Exists(path)) return "{}";
        System.Text.Json.Nodes.JsonNode? json;
        try
        {
            json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path), documentOptions: VaeConfig.DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}); it is the training summary the trainer writes beside the weights.", e);
        }
        return TrainingSummary.CheckFields(json, path).ToJsonString();
    }
}
