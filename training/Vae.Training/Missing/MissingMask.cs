using System.Globalization;
using Vae.Training.Data;

namespace Vae.Training.Missing;

/// <summary>Which values of a sample are hidden.</summary>
public enum MaskKind
{
    /// <summary>The values that are missing in the data itself (NaN; empty or NaN cells of a CSV read with missing values allowed).</summary>
    FromData,
    /// <summary>The bottom half of every image: rows ⌊H/2⌋ … H − 1 of each channel (for a flat sample of D values, the last ⌈D/2⌉).</summary>
    BottomHalf,
    /// <summary>Each value independently with probability <see cref="MissingMask.Probability"/> (missing completely at random).</summary>
    Random,
}

/// <summary>
/// A rule for hiding values, as the options <c>--missing</c> (training) and <c>--mask</c> (impute, evaluate) write it:
/// <c>from-data</c> (alias <c>allow</c>), <c>bottom-half</c> or <c>random:P</c> with 0 &lt; P &lt; 1. Values that are
/// missing in the data stay missing under every rule.
/// </summary>
public sealed record MissingMask(MaskKind Kind, double Probability = 0)
{
    /// <summary>Values that are missing in the data and nothing else.</summary>
    public static MissingMask FromData { get; } = new(MaskKind.FromData);

    /// <summary>Reads <c>from-data</c>/<c>allow</c>, <c>bottom-half</c> or <c>random:P</c>.</summary>
    /// <param name="option">The option's name, for the error message.</param>
    /// <exception cref="ArgumentException">Another word, or a probability outside (0, 1).</exception>
    public static MissingMask Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t is "from-data" or "allow") return FromData;
        if (t == "bottom-half") return new MissingMask(MaskKind.BottomHalf);
        if (t.StartsWith("random:", StringComparison.Ordinal))
        {
            if (double.TryParse(t["random:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p > 0 && p < 1)
                return new MissingMask(MaskKind.Random, p);
            throw new ArgumentException($"{option} is '{text}'; random:P needs a probability P with 0 < P < 1, e.g. random:0.5.", option);
        }
        throw new ArgumentException($"{option} is '{text}'; expected from-data (or allow), bottom-half or random:P (0 < P < 1).", option);
    }

    /// <summary>The rule as <see cref="Parse"/> reads it.</summary>
    public override string ToString() => Kind switch
    {
        MaskKind.BottomHalf => "bottom-half",
        MaskKind.Random => string.Create(CultureInfo.InvariantCulture, $"random:{Probability}"),
        _ => "from-data",
    };

    /// <summary>True for a rule that hides values on purpose (the truth is known and can be scored).</summary>
    public bool HidesValues => Kind != MaskKind.FromData;

    /// <summary>
    /// One flag per value of <paramref name="data"/>, true where the value is observed: not missing in the data (not NaN)
    /// and not hidden by this rule (random draws from a generator seeded with <paramref name="seed"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A sample ends up with no observed value (nothing to impute from); the message names it.</exception>
    public bool[] Observed(Dataset data, long seed = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        int size = data.SampleSize;
        var observed = new bool[data.Features.Length];
        bool[] hiddenInSample = Kind == MaskKind.BottomHalf ? BottomHalfOf(data.SampleShape) : new bool[size];
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        for (int s = 0; s < data.Count; s++)
        {
            int known = 0;
            for (int j = 0; j < size; j++)
            {
                int i = s * size + j;
                bool hidden = hiddenInSample[j] || (Kind == MaskKind.Random && random.NextDouble() < Probability);
                observed[i] = !hidden && !float.IsNaN(data.Features[i]);
                if (observed[i]) known++;
            }
            if (known == 0)
                throw new ArgumentException($"sample {s} has no observed value under the mask {this} (all {size} values missing or hidden); expected at least one to impute from.", nameof(data));
        }
        return observed;
    }

    /// <summary>The bottom half of one sample: rows ⌊H/2⌋ … H − 1 of a [C, H, W] sample (a flat [D] sample is one column of D rows).</summary>
    public static bool[] BottomHalfOf(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int height = shape.Count switch { 1 => shape[0], 2 => shape[0], _ => shape[^2] };
        int width = shape.Count == 1 ? 1 : shape[^1];
        int size = shape.Aggregate(1, (a, b) => a * b);
        var hidden = new bool[size];
        for (int i = 0; i < size; i++) hidden[i] = i / width % height >= height / 2;
        return hidden;
    }
}
