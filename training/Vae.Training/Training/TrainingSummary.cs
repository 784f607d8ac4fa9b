using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Training.Models;

namespace Vae.Training.Training;

/// <summary>
/// The checks a checkpoint's <c>training.json</c> passes before anything reads it: the fields <see cref="Trainer"/> writes
/// must have their types and ranges (a hand-edited <c>"train_count": "lots"</c> stopped <c>--resume</c> with an unhandled
/// exception). Other fields are kept as they are: the file is a free-form summary that travels into the exported model.
/// </summary>
internal static class TrainingSummary
{
    private static readonly string[] Counts = ["train_count", "validation_count", "test_count"];
    private static readonly string[] Figures = ["train_neg_elbo", "val_neg_elbo", "test_neg_elbo"];

    /// <summary>Checks <paramref name="json"/>, the content of <paramref name="path"/>, and returns it as compact JSON.</summary>
    /// <exception cref="InvalidDataException">Not a JSON object, or a known field of the wrong type or out of range (the message names the file and the field).</exception>
    public static string Validate(JsonNode? json, string path)
    {
        if (json is not JsonObject o)
            throw new InvalidDataException($"{path} holds {Kind(json)}; expected the training summary object 'vae train' writes beside the weights.");
        Integer(o, "epochs", path, minimum: 1, "the number of epochs trained, at least 1");
        Integer(o, "active_units", path, minimum: -1, "a count of latent units (-1: no set to count them on)");
        foreach (string count in Counts) Integer(o, count, path, minimum: 0, "a number of samples ≥ 0");
        foreach (string figure in Figures)
            if (o[figure] is { } node && !(node is JsonValue v && v.GetValueKind() == JsonValueKind.Number))
                throw new InvalidDataException($"{path}: '{figure}' is {Show(node)}; expected a number (nats) or null.");
        if (o["options"] is { } options)
        {
            if (options is not JsonObject)
                throw new InvalidDataException($"{path}: 'options' is {Show(options)}; expected the training options object.");
            try
            {
                (options.Deserialize<TrainOptions>(VaeConfig.JsonOptions) ?? new TrainOptions()).Validate();
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: 'options' is not valid training options: {ExceptionText.Of(e)}", e);
            }
        }
        return o.ToJsonString();
    }

    private static void Integer(JsonObject o, string field, string path, int minimum, string expected)
    {
        if (o[field] is not { } node) return;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out int value) || value < minimum)
            throw new InvalidDataException($"{path}: '{field}' is {Show(node)}; expected {expected}.");
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => $"the value {Show(node)}",
    };

    private static string Show(JsonNode node)
    {
        string text = node.ToJsonString();
        return text.Length <= 40 ? text : text[..37] + "…";
    }
}
