using System.Globalization;

namespace Vae.Inference;

/// <summary>What the decoder outputs.</summary>
public enum OutputKind
{
    /// <summary>Bernoulli logits; <see cref="VaeModel.Decode(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{int})"/> returns probabilities.</summary>
    Logits,
    /// <summary>Gaussian means; returned as they are.</summary>
    Mean,
}

/// <summary>Facts about an exported pair, read from its ONNX metadata.</summary>
/// <param name="InputShape">Shape of one encoder input x, e.g. [784] or [1, 28, 28].</param>
/// <param name="ImageShape">Shape of one sample as an image [C, H, W] (for pictures).</param>
/// <param name="Classes">Number of classes of a conditional model, 0 otherwise.</param>
/// <param name="Training">Free-form training summary (JSON) written by the exporter.</param>
/// <param name="GaussianSigma">σ of a Gaussian decoder p(x|z) = N(mean, σ²I) (metadata <c>vae.gaussian_sigma</c>; 1, the trainer's default, when absent).</param>
/// <param name="Normalization">How raw data was turned into the model's inputs at training (metadata
/// <c>vae.input_normalization</c>); null for pairs exported without it. Encode, Decode and the other operations work on
/// normalised values: apply it to raw data first (<see cref="InputNormalization.Apply(ReadOnlySpan{float}, Span{float}, int)"/>)
/// and invert it to read decoded values in raw units.</param>
/// <param name="PairId">The identity of the export both graphs came from (metadata <c>vae.pair_id</c>); null for pairs
/// exported without one.</param>
public sealed record VaeModelInfo(
    int FormatVersion,
    string ModelKind,
    int[] InputShape,
    int[] ImageShape,
    int LatentSize,
    string Likelihood,
    OutputKind OutputKind,
    string PixelScaling,
    int Classes,
    string Producer,
    string Training,
    float GaussianSigma = 1f,
    InputNormalization? Normalization = null,
    string? PairId = null)
{
    /// <summary>Values per input sample.</summary>
    public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Reads the facts from one graph's metadata; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="VaeModelException">A required key is missing or malformed.</exception>
    public static VaeModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Get(string key) => metadata.TryGetValue(key, out string? value)
            ? value
            : throw new VaeModelException($"{source}: metadata key '{key}' is missing; this file was not exported by the VAE exporter (or by an older version).");
        int GetInt(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new VaeModelException($"{source}: metadata '{key}' is '{Get(key)}', expected an integer.");
        int[] GetShape(string key)
        {
            string text = Get(key);
            int[] shape;
            try { shape = VaeMetadata.ParseShape(text); }
            catch (Exception e) when (e is FormatException or OverflowException) // empty, a missing or non-positive dimension, or beyond Int32
            {
                throw new VaeModelException($"{source}: metadata '{key}' is '{text}', expected a shape such as 1,28,28 (one or more positive dimensions separated by commas).", e);
            }
            double values = shape.Aggregate(1.0, (a, d) => a * d); // exact far past Array.MaxLength, and no overflow
            if (values > Array.MaxLength)
                throw new VaeModelException($"{source}: metadata '{key}' is '{text}', more values per sample than the largest .NET array holds ({Array.MaxLength}).");
            return shape;
        }

        string outputKind = Get(VaeMetadata.OutputKind);
        int[] inputShape = GetShape(VaeMetadata.InputShape);
        return new VaeModelInfo(
            FormatVersion: GetInt(VaeMetadata.FormatVersion),
            ModelKind: Get(VaeMetadata.ModelKind),
            InputShape: inputShape,
            ImageShape: GetShape(VaeMetadata.ImageShape),
            LatentSize: GetInt(VaeMetadata.LatentSize),
            Likelihood: Get(VaeMetadata.Likelihood),
            OutputKind: outputKind switch
            {
                "logits" => OutputKind.Logits,
                "mean" => OutputKind.Mean,
                _ => throw new VaeModelException($"{source}: metadata '{VaeMetadata.OutputKind}' is '{outputKind}', expected 'logits' or 'mean'."),
            },
            PixelScaling: metadata.GetValueOrDefault(VaeMetadata.PixelScaling, ""),
            Classes: metadata.ContainsKey(VaeMetadata.Classes) ? GetInt(VaeMetadata.Classes) : 0,
            Producer: metadata.GetValueOrDefault(VaeMetadata.Producer, ""),
            Training: metadata.GetValueOrDefault(VaeMetadata.Training, ""),
            GaussianSigma: metadata.TryGetValue(VaeMetadata.GaussianSigma, out string? sigma)
                ? float.TryParse(sigma, NumberStyles.Float, CultureInfo.InvariantCulture, out float s) && s > 0 && float.IsFinite(s)
                    ? s
                    : throw new VaeModelException($"{source}: metadata '{VaeMetadata.GaussianSigma}' is '{sigma}', expected a positive number.")
                : 1f,
            Normalization: ReadNormalization(metadata, source, inputShape),
            PairId: metadata.TryGetValue(VaeMetadata.PairId, out string? pair)
                ? pair.Length > 0 && pair.Length <= 128 && !pair.Any(char.IsWhiteSpace)
                    ? pair
                    : throw new VaeModelException($"{source}: metadata '{VaeMetadata.PairId}' is '{(pair.Length <= 40 ? pair : pair[..37] + "…")}', expected the export's identity (a 32-digit hexadecimal GUID).")
                : null);
    }

    private static InputNormalization? ReadNormalization(IReadOnlyDictionary<string, string> metadata, string source, int[] inputShape)
    {
        if (!metadata.TryGetValue(VaeMetadata.InputNormalization, out string? json)) return null;
        InputNormalization normalization = InputNormalization.FromJson(json, $"{source}: metadata '{VaeMetadata.InputNormalization}'");
        int size = inputShape.Aggregate(1, (a, b) => a * b);
        if (!normalization.Fits(size))
            throw new VaeModelException($"{source}: metadata '{VaeMetadata.InputNormalization}' has {normalization.Length} values per sample; the input has {size} (expected 1 or {size}).");
        return normalization;
    }

    /// <summary>Describes how this and <paramref name="other"/> differ on the facts a pair must share, or null when they fit.</summary>
    public string? MismatchWith(VaeModelInfo other)
    {
        var problems = new List<string>();
        if (PairId != other.PairId)
            problems.Add($"they come from different exports (pair id {PairId ?? "none"} vs {other.PairId ?? "none"}); export both graphs again into one folder");
        if (FormatVersion != other.FormatVersion) problems.Add($"format version {FormatVersion} vs {other.FormatVersion}");
        if (LatentSize != other.LatentSize) problems.Add($"latent size {LatentSize} vs {other.LatentSize}");
        if (!InputShape.SequenceEqual(other.InputShape)) problems.Add($"input shape [{string.Join(",", InputShape)}] vs [{string.Join(",", other.InputShape)}]");
        if (Classes != other.Classes) problems.Add($"classes {Classes} vs {other.Classes} (conditional or not)");
        if (Likelihood != other.Likelihood) problems.Add($"likelihood {Likelihood} vs {other.Likelihood}");
        if (!Equals(Normalization, other.Normalization))
            problems.Add($"input normalisation {Normalization?.Describe() ?? "none"} vs {other.Normalization?.Describe() ?? "none"}");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
