using Vae.Inference;

namespace Vae.Training.Data;

/// <summary>Fits and applies the <see cref="InputNormalization"/> the readers give their data sets.</summary>
public static class Normalizing
{
    /// <summary>
    /// Fits <paramref name="kind"/> on <paramref name="values"/> (whole samples of <paramref name="sampleSize"/> values, row-major),
    /// per value of a sample, in double precision: <see cref="NormalizationKind.Standard"/> subtracts the mean and divides by
    /// the population standard deviation (as scikit-learn's <c>StandardScaler</c>); <see cref="NormalizationKind.MinMax"/>
    /// subtracts the minimum and divides by max − min. A value that is the same in every sample keeps divisor 1 (it
    /// becomes 0), as in scikit-learn.
    /// </summary>
    /// <exception cref="ArgumentException">No samples, a length that is not whole samples, a non-finite value, or the kind is <see cref="NormalizationKind.Scale"/> (nothing to fit).</exception>
    public static InputNormalization Fit(NormalizationKind kind, ReadOnlySpan<float> values, int sampleSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        if (values.Length == 0 || values.Length % sampleSize != 0)
            throw new ArgumentException($"length of {nameof(values)} is {values.Length}; expected one or more whole samples of {sampleSize} values.", nameof(values));
        int bad = values.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
            throw new ArgumentException($"sample {bad / sampleSize}, value {bad % sampleSize} is {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}; statistics need finite values.", nameof(values));
        int count = values.Length / sampleSize;
        var offset = new float[sampleSize];
        var divisor = new float[sampleSize];
        switch (kind)
        {
            case NormalizationKind.Standard:
                var sum = new double[sampleSize];
                for (int s = 0; s < count; s++)
                    for (int j = 0; j < sampleSize; j++) sum[j] += values[s * sampleSize + j];
                var squares = new double[sampleSize];   // second pass around the mean: no cancellation for large offsets
                for (int s = 0; s < count; s++)
                    for (int j = 0; j < sampleSize; j++)
                    {
                        double d = values[s * sampleSize + j] - sum[j] / count;
                        squares[j] += d * d;
                    }
                for (int j = 0; j < sampleSize; j++)
                {
                    offset[j] = (float)(sum[j] / count);
                    divisor[j] = Spread(Math.Sqrt(squares[j] / count));
                }
                break;
            case NormalizationKind.MinMax:
                for (int j = 0; j < sampleSize; j++)
                {
                    float min = values[j], max = values[j];
                    for (int s = 1; s < count; s++)
                    {
                        float v = values[s * sampleSize + j];
                        if (v < min) min = v;
                        if (v > max) max = v;
                    }
                    offset[j] = min;
                    divisor[j] = Spread((double)max - min);
                }
                break;
            default:
                throw new ArgumentException($"{nameof(kind)} is {kind}; expected {NormalizationKind.Standard} or {NormalizationKind.MinMax} (a scale is given, not fitted).", nameof(kind));
        }
        return new InputNormalization(kind, offset, divisor);
    }

    private static readonly double MachineEpsilon = Math.BitIncrement(1.0) - 1.0;   // 2^-52 (double.Epsilon is the smallest subnormal)

    /// <summary>A spread as a divisor: 1 for a constant value (scikit-learn's threshold, 10 machine epsilons), and never a float that rounds to 0 or ∞.</summary>
    private static float Spread(double spread) =>
        spread < 10 * MachineEpsilon || (float)spread is var f && (f <= 0 || !float.IsFinite(f)) ? 1f : (float)spread;

    /// <summary>
    /// Normalises <paramref name="data"/>'s raw values in place as <paramref name="options"/> say — the given
    /// <see cref="DataOptions.Normalization"/>, a fitted <see cref="DataOptions.Normalize"/>, or ÷ <see cref="DataOptions.Scale"/>
    /// (0: ÷ <paramref name="automaticDivisor"/>, or when that is null ÷ 255 if a value exceeds 1, else ÷ 1) — and returns it
    /// with its <see cref="Dataset.Normalization"/>.
    /// </summary>
    /// <exception cref="DataFormatException">The given normalisation is for samples of another size.</exception>
    internal static Dataset Apply(Dataset data, DataOptions options, string source, float? automaticDivisor = null)
    {
        float[] values = data.Features;
        int size = data.SampleSize;
        InputNormalization normalization;
        if (options.Normalization is { } given)
        {
            if (!given.Fits(size))
                throw new DataFormatException(source, $"samples of {size} values; the normalisation to apply ({given.Describe()}) is for samples of {given.Length}.");
            normalization = given;
        }
        else if (options.Normalize is { } kind)
        {
            if (data.Count == 0) throw new DataFormatException(source, $"no samples to fit the {InputNormalization.KindName(kind)} normalisation on.");
            normalization = Fit(kind, values, size);
        }
        else
        {
            float divisor = options.Scale != 0 ? (float)options.Scale
                : automaticDivisor ?? (values.Length > 0 && values.Max() > 1f ? 255f : 1f);
            normalization = InputNormalization.Scale(divisor);
        }
        // x / 255 exactly as before (x − 0 is x): bytes ÷ 255 like torchvision's ToTensor, not × (1/255f), which differs by an ulp for 126 of 256 bytes
        if (!(normalization.Kind == NormalizationKind.Scale && normalization.Divisor[0] == 1 && normalization.Offset[0] == 0))
            normalization.Apply(values, values, size);
        return new Dataset(values, data.SampleShape, data.Labels, data.ClassCount)
        {
            ClassNames = data.ClassNames,
            SampleNames = data.SampleNames,
            Skipped = data.Skipped,
            Normalization = normalization,
        };
    }
}
