using System.Text.Json;
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
    /// <exception cref="InvalidDataException">The text is not valid JSON, or a field is missing or of the wrong type (the message names it).</exception>
    public static TrainingSummary FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using (JsonDocument.Parse(json)) { }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid JSON ({e.Message}); it is the training summary written beside a checkpoint's weights.", e);
        }
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
}
