using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Vae.Training.Models;

namespace Vae.Training.Training;

/// <summary>Sample counts of a run: the training part, the held-out validation part and the test set.</summary>
public readonly record struct SampleCounts(int Train, int Validation, int Test);

/// <summary>
/// How a checkpoint was trained and what it scored after its epoch: <c>training.json</c> beside every checkpoint
/// <see cref="Trainer"/> writes, read back when a run resumes (<see cref="Checkpoint.ReadTrainingSummary"/>) and carried
/// into an exported model's metadata. Field names in the file are snake_case (<c>train_neg_elbo</c>, <c>val_neg_elbo</c>, ...).
/// </summary>
public sealed record TrainingSummary
{
    /// <summary>The options of the run (null when the summary was written without them).</summary>
    public TrainOptions? Options { get; init; }

    /// <summary>Epochs trained up to this checkpoint.</summary>
    public required int Epochs { get; init; }

    /// <summary>Training −ELBO of the checkpoint's epoch, averaged over its batches.</summary>
    [JsonPropertyName("train_neg_elbo")]
    public required double TrainNegElbo { get; init; }

    /// <summary>Validation −ELBO after the epoch, or null without a validation split.</summary>
    [JsonPropertyName("val_neg_elbo")]
    public double? ValidationNegElbo { get; init; }

    /// <summary>Test −ELBO after the epoch, or null without a test set.</summary>
    [JsonPropertyName("test_neg_elbo")]
    public double? TestNegElbo { get; init; }

    /// <summary>Active latent units after the epoch (see <see cref="EpochMetrics.ActiveUnits"/>); −1 when there was no set to count them on.</summary>
    public required int ActiveUnits { get; init; }

    /// <summary>Samples trained on (the training set less the validation part).</summary>
    public required int TrainCount { get; init; }

    /// <summary>Samples held out for validation.</summary>
    public required int ValidationCount { get; init; }

    /// <summary>Samples of the test set (0 without one).</summary>
    public required int TestCount { get; init; }

    /// <summary>The sample counts as one value.</summary>
    [JsonIgnore]
    public SampleCounts Counts => new(TrainCount, ValidationCount, TestCount);

    /// <summary>The summary of the epoch <paramref name="metrics"/> describes.</summary>
    public static TrainingSummary Of(EpochMetrics metrics, TrainOptions options, SampleCounts counts)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new TrainingSummary
        {
            Options = options,
            Epochs = metrics.Epoch,
            TrainNegElbo = metrics.Train.NegElbo,
            ValidationNegElbo = metrics.Validation?.NegElbo,
            TestNegElbo = metrics.Test?.NegElbo,
            ActiveUnits = metrics.ActiveUnits,
            TrainCount = counts.Train,
            ValidationCount = counts.Validation,
            TestCount = counts.Test,
        };
    }

    /// <summary>The summary as training.json holds it (indented, snake_case).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, VaeConfig.JsonOptions);

    /// <summary>Parses a summary written by <see cref="ToJson"/>; <paramref name="source"/> names where the text came from in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not valid JSON, or a field is missing, of the wrong type or out of range (the message names it).</exception>
    public static TrainingSummary FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: VaeConfig.DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid JSON ({e.Message}); it is the training summary written beside a checkpoint's weights.", e);
        }
        CheckFields(node, source);
        try
        {
            return JsonSerializer.Deserialize<TrainingSummary>(json, VaeConfig.JsonOptions)
                ?? throw new InvalidDataException($"{source} is empty (null); expected the training summary object.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source} is not a training summary: {e.Message}", e);
        }
    }

    private static readonly string[] CountFields = ["train_count", "validation_count", "test_count"];
    private static readonly string[] FigureFields = ["train_neg_elbo", "val_neg_elbo", "test_neg_elbo"];

    /// <summary>
    /// Checks the type and range of every field the trainer writes that <paramref name="json"/> holds (a hand-edited
    /// <c>"train_count": "lots"</c> stopped a resume with an unhandled exception); other fields are left as they are.
    /// </summary>
    /// <returns>The object.</returns>
    /// <exception cref="InvalidDataException">Not a JSON object, or a field of the wrong type or out of range (the message names <paramref name="source"/> and the field).</exception>
    public static JsonObject CheckFields(JsonNode? json, string source)
    {
        if (json is not JsonObject o)
            throw new InvalidDataException($"{source} holds {(json is null ? "null" : json is JsonArray ? "an array" : $"the value {Show(json)}")}; expected the training summary object written beside a checkpoint's weights.");
        Integer(o, "epochs", source, minimum: 1, "the number of epochs trained, at least 1");
        Integer(o, "active_units", source, minimum: -1, "a count of latent units (-1: no set to count them on)");
        foreach (string count in CountFields) Integer(o, count, source, minimum: 0, "a number of samples ≥ 0");
        foreach (string figure in FigureFields)
            if (o[figure] is { } value && !(value is JsonValue v && v.GetValueKind() == JsonValueKind.Number))
                throw new InvalidDataException($"{source}: '{figure}' is {Show(value)}; expected a number (nats) or null.");
        if (o["options"] is { } options)
        {
            if (options is not JsonObject)
                throw new InvalidDataException($"{source}: 'options' is {Show(options)}; expected the training options object.");
            try
            {
                (options.Deserialize<TrainOptions>(VaeConfig.JsonOptions) ?? new TrainOptions()).Validate();
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                throw new InvalidDataException($"{source}: 'options' is not valid training options: {ExceptionText.Of(e)}", e);
            }
        }
        return o;
    }

    private static void Integer(JsonObject o, string field, string source, int minimum, string expected)
    {
        if (o[field] is not { } node) return;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out int value) || value < minimum)
            throw new InvalidDataException($"{source}: '{field}' is {Show(node)}; expected {expected}.");
    }

    private static string Show(JsonNode node)
    {
        string text = node.ToJsonString();
        return text.Length <= 40 ? text : text[..37] + "…";
    }
}
