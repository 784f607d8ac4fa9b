using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vae.Training.Onnx;

/// <summary>
/// The fields of an exported folder's <c>model.json</c> that tools read back, each checked for its type and range
/// (a hand-edited <c>"checkpoint": 42</c> used to end a reader with an unhandled exception). The file holds more
/// (config, metadata, training summary) for people; those are not read.
/// </summary>
/// <param name="Path">The file.</param>
/// <param name="Checkpoint">The checkpoint folder the pair was exported from, or null when it was not recorded.</param>
/// <param name="Opset">ONNX opset of both graphs, or null.</param>
/// <param name="IrVersion">ONNX IR version of both graphs, or null.</param>
/// <param name="VerificationMaxAbsDifference">Largest |ONNX Runtime − TorchSharp| difference found at export, or null.</param>
/// <param name="PairId">The export's identity (as in both graphs' <c>vae.pair_id</c>), or null for folders exported before it was recorded.</param>
public sealed record ModelJson(string Path, string? Checkpoint, int? Opset, int? IrVersion, double? VerificationMaxAbsDifference, string? PairId)
{
    /// <summary>Reads <c>model.json</c> of <paramref name="folder"/>, or returns null when the folder has none (a pair copied without it still loads).</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object, or a field has the wrong type or is out of range (the message names the file and the field).</exception>
    public static ModelJson? Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string path = System.IO.Path.Combine(folder, VaeExporter.ModelJsonFile);
        if (!File.Exists(path)) return null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: Models.VaeConfig.DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}); it is the file VaeExporter.Export writes beside the graphs.", e);
        }
        if (root is not JsonObject o)
            throw new InvalidDataException($"{path} is not a JSON object; it is the file VaeExporter.Export writes beside the graphs.");
        return new ModelJson(
            path,
            Text(o, "checkpoint", path, "the checkpoint folder the pair was exported from"),
            Integer(o, "opset", path),
            Integer(o, "ir_version", path),
            Number(o, "verification_max_abs_difference", path),
            Text(o, "pair_id", path, "the export's identity"));
    }

    private static string? Text(JsonObject o, string field, string path, string expected) => o[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } text ? text : null,
        var node => throw Wrong(path, field, node, $"a string ({expected}) or null"),
    };

    private static int? Integer(JsonObject o, string field, string path) => o[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int value) && value >= 0 => value,
        var node => throw Wrong(path, field, node, "a whole number ≥ 0 or null"),
    };

    private static double? Number(JsonObject o, string field, string path) => o[field] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double value) && double.IsFinite(value) && value >= 0 => value,
        var node => throw Wrong(path, field, node, "a number ≥ 0 or null"),
    };

    private static InvalidDataException Wrong(string path, string field, JsonNode node, string expected)
    {
        string text = node.ToJsonString();
        return new InvalidDataException($"{path}: '{field}' is {(text.Length <= 40 ? text : text[..37] + "…")}; expected {expected}.");
    }
}
