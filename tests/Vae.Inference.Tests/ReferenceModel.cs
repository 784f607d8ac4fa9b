using System.Text.Json;
using System.Text.Json.Serialization;
using Vae.Tests;

namespace Vae.Inference.Tests;

/// <summary>The committed pair in models/reference and the TorchSharp outputs the exporter stored beside it.</summary>
internal static class ReferenceModel
{
    public static string Folder => Path.Combine(RepoPaths.Root, "models", "reference");

    public static VaeModel Load(VaeSessionOptions? options = null) => VaeModel.Load(Folder, options);

    public static ReferenceData Data { get; } = JsonSerializer.Deserialize<ReferenceData>(File.ReadAllText(Path.Combine(Folder, "reference.json")))
        ?? throw new InvalidDataException("reference.json is empty");

    public static float[] Flat(float[][] rows) => rows.SelectMany(r => r).ToArray();

    public static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    /// <summary>The largest |a − b|.</summary>
    public static float MaxDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        return max;
    }
}

internal sealed record ReferenceData(
    [property: JsonPropertyName("x")] float[][] X,
    [property: JsonPropertyName("mean")] float[][] Mean,
    [property: JsonPropertyName("logvar")] float[][] Logvar,
    [property: JsonPropertyName("decoder_output")] string DecoderOutput,
    [property: JsonPropertyName("decoded_mean")] float[][] DecodedMean,
    [property: JsonPropertyName("z")] float[][] Z,
    [property: JsonPropertyName("decoded_z")] float[][] DecodedZ);
