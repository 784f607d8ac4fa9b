using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vae.Inference;

/// <summary>How the values a model was trained on were made from the raw data.</summary>
public enum NormalizationKind
{
    /// <summary>Every value divided by one number (image bytes ÷ 255, or a scale the reader was given).</summary>
    Scale,
    /// <summary>Per value: (x − mean) / standard deviation of the training data (scikit-learn's <c>StandardScaler</c>).</summary>
    Standard,
    /// <summary>Per value: (x − min) / (max − min) of the training data, into [0, 1] (scikit-learn's <c>MinMaxScaler</c>).</summary>
    MinMax,
}

/// <summary>
/// The input normalisation of a model, x = (raw − <see cref="Offset"/>) / <see cref="Divisor"/> per value of a sample,
/// recorded at training and exported with the model (metadata <c>vae.input_normalization</c>), so that data is
/// prepared at inference exactly as it was for training. <see cref="Offset"/> and <see cref="Divisor"/> hold either one
/// number for every value or one per value of a sample (row-major, as the model's input).
/// </summary>
public sealed record InputNormalization
{
    /// <exception cref="ArgumentException">Offset and divisor differ in length or are empty; an offset is not finite; a divisor is not finite and above 0.</exception>
    public InputNormalization(NormalizationKind kind, float[] offset, float[] divisor)
    {
        ArgumentNullException.ThrowIfNull(offset);
        ArgumentNullException.ThrowIfNull(divisor);
        if (offset.Length == 0 || offset.Length != divisor.Length)
            throw new ArgumentException($"{nameof(offset)} has {offset.Length} values and {nameof(divisor)} {divisor.Length}; expected the same number, at least 1.", nameof(divisor));
        int badOffset = Array.FindIndex(offset, v => !float.IsFinite(v));
        if (badOffset >= 0)
            throw new ArgumentException($"{nameof(offset)}[{badOffset}] is {Format(offset[badOffset])}; expected a finite number.", nameof(offset));
        int badDivisor = Array.FindIndex(divisor, v => !float.IsFinite(v) || v <= 0);
        if (badDivisor >= 0)
            throw new ArgumentException($"{nameof(divisor)}[{badDivisor}] is {Format(divisor[badDivisor])}; expected a finite number above 0.", nameof(divisor));
        Kind = kind;
        Offset = offset;
        Divisor = divisor;
    }

    /// <summary>Every value divided by <paramref name="divisor"/> (offset 0).</summary>
    public static InputNormalization Scale(float divisor) => new(NormalizationKind.Scale, [0f], [divisor]);

    public NormalizationKind Kind { get; }

    /// <summary>Subtracted from each raw value: one number, or one per value of a sample.</summary>
    public float[] Offset { get; }

    /// <summary>Divides each raw value after the offset: one number, or one per value of a sample.</summary>
    public float[] Divisor { get; }

    /// <summary>Number of values per sample the normalisation is for (1: the same for every value).</summary>
    public int Length => Offset.Length;

    /// <summary>
    /// Whether it holds statistics of the training data (<see cref="NormalizationKind.Standard"/>, <see cref="NormalizationKind.MinMax"/>):
    /// then data for the model must be prepared with exactly these numbers. A <see cref="NormalizationKind.Scale"/> only
    /// says how the training data's raw form was scaled (image bytes ÷ 255); data in another form (already in [0, 1]) is
    /// scaled as its own form needs.
    /// </summary>
    public bool IsFitted => Kind != NormalizationKind.Scale;

    /// <summary>Whether it fits samples of <paramref name="sampleSize"/> values.</summary>
    public bool Fits(int sampleSize) => Length == 1 || Length == sampleSize;

    /// <summary>
    /// x = (raw − offset) / divisor for every value of whole samples (row-major, <paramref name="sampleSize"/> values each);
    /// <paramref name="raw"/> and <paramref name="x"/> may be the same memory. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, are not whole samples, or the normalisation is for samples of another size.</exception>
    public void Apply(ReadOnlySpan<float> raw, Span<float> x, int sampleSize)
    {
        Check(raw.Length, x.Length, sampleSize, nameof(raw), nameof(x));
        if (Length == 1)
        {
            float offset = Offset[0], divisor = Divisor[0];
            for (int i = 0; i < raw.Length; i++) x[i] = (raw[i] - offset) / divisor;
            return;
        }
        for (int start = 0; start < raw.Length; start += sampleSize)
            for (int j = 0; j < sampleSize; j++) x[start + j] = (raw[start + j] - Offset[j]) / Divisor[j];
    }

    /// <summary>The normalised copy of <paramref name="raw"/> (whole samples of <paramref name="sampleSize"/> values).</summary>
    public float[] Apply(float[] raw, int sampleSize)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var x = new float[raw.Length];
        Apply(raw, x, sampleSize);
        return x;
    }

    /// <summary>
    /// raw = x · divisor + offset: model-space values (a decoder's means or probabilities) back in the units of the raw
    /// data; <paramref name="x"/> and <paramref name="raw"/> may be the same memory. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Apply(ReadOnlySpan{float}, Span{float}, int)"/>.</exception>
    public void Invert(ReadOnlySpan<float> x, Span<float> raw, int sampleSize)
    {
        Check(x.Length, raw.Length, sampleSize, nameof(x), nameof(raw));
        for (int i = 0; i < x.Length; i++)
        {
            int j = Length == 1 ? 0 : i % sampleSize;
            raw[i] = x[i] * Divisor[j] + Offset[j];
        }
    }

    private void Check(int fromLength, int toLength, int sampleSize, string from, string to)
    {
        if (sampleSize <= 0) throw new ArgumentOutOfRangeException(nameof(sampleSize), sampleSize, "expected at least 1 value per sample.");
        if (!Fits(sampleSize))
            throw new ArgumentException($"the normalisation has {Length} values per sample; the samples have {sampleSize}.", nameof(sampleSize));
        if (toLength != fromLength) throw new ArgumentException($"length of {to} is {toLength}, expected {fromLength} (the length of {from}).", to);
        if (fromLength % sampleSize != 0)
            throw new ArgumentException($"length of {from} is {fromLength}, not a multiple of the sample size {sampleSize}.", from);
    }

    /// <summary>One line for people: "x / 255", "(x − mean) / std per value (784 values, from the training data)".</summary>
    public string Describe() => Kind switch
    {
        NormalizationKind.Scale when Length == 1 && Offset[0] == 0 => $"x / {Format(Divisor[0])}",
        NormalizationKind.Standard => $"(x − mean) / std per value ({Length} values, from the training data)",
        NormalizationKind.MinMax => $"(x − min) / (max − min) per value ({Length} values, from the training data)",
        _ => $"(x − offset) / divisor ({Length} value{(Length == 1 ? "" : "s")})",
    };

    /// <summary>Compact JSON: <c>{"kind":"standard","offset":[…],"divisor":[…]}</c>; floats round-trip exactly.</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["kind"] = KindName(Kind),
            ["offset"] = new JsonArray(Offset.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["divisor"] = new JsonArray(Divisor.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        };
        return json.ToJsonString();
    }

    /// <summary>Reads <see cref="ToJson"/>'s text; <paramref name="source"/> names where it came from in errors.</summary>
    /// <exception cref="VaeModelException">Not that JSON, an unknown kind, or values <see cref="InputNormalization(NormalizationKind, float[], float[])"/> refuses.</exception>
    public static InputNormalization FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            JsonObject o = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject ?? throw new FormatException("not a JSON object");
            string kind = o["kind"]?.GetValue<string>() ?? throw new FormatException("'kind' is missing");
            float[] Floats(string name) => (o[name] as JsonArray ?? throw new FormatException($"'{name}' is not an array of numbers"))
                .Select(v => v?.GetValue<float>() ?? throw new FormatException($"'{name}' holds null")).ToArray();
            return new InputNormalization(ParseKind(kind), Floats("offset"), Floats("divisor"));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new VaeModelException($"{source}: input normalisation {Shorten(json)} is not valid ({e.Message}); expected " +
                                        "{\"kind\":\"scale|standard|minmax\",\"offset\":[numbers],\"divisor\":[numbers above 0]}.", e);
        }
    }

    /// <summary>The name used in JSON and on the command line: scale, standard, minmax.</summary>
    public static string KindName(NormalizationKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses <see cref="KindName"/>'s names (any case).</summary>
    /// <exception cref="FormatException">Another name.</exception>
    public static NormalizationKind ParseKind(string name) =>
        Enum.TryParse(name, ignoreCase: true, out NormalizationKind kind) && Enum.IsDefined(kind) && !int.TryParse(name, out _)
            ? kind
            : throw new FormatException($"kind '{name}' is unknown; expected scale, standard or minmax");

    /// <summary>Same kind and the same numbers (records compare arrays by reference).</summary>
    public bool Equals(InputNormalization? other) =>
        other is not null && Kind == other.Kind && Offset.AsSpan().SequenceEqual(other.Offset) && Divisor.AsSpan().SequenceEqual(other.Divisor);

    public override int GetHashCode() => HashCode.Combine(Kind, Length, Offset[0], Divisor[0]);

    private static string Format(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 80 ? $"'{text}'" : $"'{text[..77]}…'";
}
