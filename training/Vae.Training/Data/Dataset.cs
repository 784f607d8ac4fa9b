using Vae.Inference;

namespace Vae.Training.Data;

/// <summary>
/// An in-memory data set: <see cref="Count"/> samples of shape <see cref="SampleShape"/> as floats
/// in row-major order, with optional integer class labels.
/// </summary>
public sealed class Dataset
{
    /// <summary>The most classes a data set may have: labels run from 0 to <see cref="MaxClasses"/> − 1. Far beyond any
    /// class count a VAE is conditioned on (a one-hot label of that width), and small enough that a label such as
    /// 2,147,483,647 (an id, not a class) is refused instead of wrapping the class count around.</summary>
    public const int MaxClasses = 65_536;

    /// <exception cref="ArgumentException">A dimension ≤ 0, features that are not whole samples, a label count other than the
    /// sample count, or a label outside 0 … <see cref="MaxClasses"/> − 1.</exception>
    public Dataset(float[] features, int[] sampleShape, int[]? labels = null, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"sample shape [{string.Join(", ", sampleShape)}] has a dimension ≤ 0; expected positive dimensions.", nameof(sampleShape));
        // in full: in int, [65536, 65536] wrapped to 0 ("no elements") and [100000, 100000, 100000] to a negative size
        if (Models.WeightLimits.Size(sampleShape) is var full && full > int.MaxValue)
            throw new ArgumentException($"sample shape [{string.Join(", ", sampleShape)}] holds {full} values; one sample holds at most {int.MaxValue} (a .NET array).", nameof(sampleShape));
        int size = (int)full;
        if (features.Length % size != 0)
            throw new ArgumentException($"length of {nameof(features)} is {features.Length}, not a multiple of the sample size {size}.", nameof(features));
        int count = features.Length / size;
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"{nameof(labels)} has {labels.Length} entries but there are {count} samples.", nameof(labels));
        if (labels is not null && labels.AsSpan().IndexOfAnyExceptInRange(0, MaxClasses - 1) is var bad and >= 0)
            throw new ArgumentException($"{nameof(labels)}[{bad}] is {labels[bad]}; expected a class from 0 to {MaxClasses - 1}.", nameof(labels));
        if (classCount < 0 || classCount > MaxClasses)
            throw new ArgumentException($"{nameof(classCount)} is {classCount}; expected 0 to {MaxClasses}.", nameof(classCount));
        Features = features;
        SampleShape = sampleShape;
        Labels = labels;
        ClassCount = labels is null ? 0 : Math.Max(classCount, labels.Length == 0 ? 0 : labels.Max() + 1);
    }

    /// <summary>All samples, row-major, <see cref="Count"/> × <see cref="SampleSize"/> values.</summary>
    public float[] Features { get; }

    /// <summary>Shape of one sample, e.g. [1, 28, 28].</summary>
    public int[] SampleShape { get; }

    /// <summary>Class label per sample, or null for unlabelled data.</summary>
    public int[]? Labels { get; }

    /// <summary>Number of classes (max label + 1), 0 when unlabelled.</summary>
    public int ClassCount { get; }

    /// <summary>Class names by label (e.g. the sub-folder names of an image folder), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Where each sample came from (an image folder: the image's path relative to the folder), or null.</summary>
    public IReadOnlyList<string>? SampleNames
    {
        get => sampleNames;
        init
        {
            if (value is not null && value.Count != Count)
                throw new ArgumentException($"{nameof(SampleNames)} has {value.Count} entries but there are {Count} samples.", nameof(value));
            sampleNames = value;
        }
    }

    private readonly IReadOnlyList<string>? sampleNames;

    /// <summary>What the reader left out of the data set and why, one line each for people (an image folder's links to
    /// folders, which are not followed); empty when it read everything it found.</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>How the raw data was turned into <see cref="Features"/> (set by the readers: ÷ 255, <see cref="DataOptions.Scale"/>, or a
    /// standardisation fitted on the data), or null when unknown (a data set built by hand). The trainer records it
    /// beside every checkpoint and the exporter writes it into the model, so inference prepares data the same way.</summary>
    public InputNormalization? Normalization
    {
        get => normalization;
        init
        {
            if (value is not null && !value.Fits(SampleSize))
                throw new ArgumentException($"{nameof(Normalization)} has {value.Length} values per sample; the samples have {SampleSize}.", nameof(value));
            normalization = value;
        }
    }

    private readonly InputNormalization? normalization;

    /// <summary>Values per sample.</summary>
    public int SampleSize => SampleShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Number of samples.</summary>
    public int Count => Features.Length / SampleSize;

    /// <summary>
    /// Checks that every value lies in [0, 1], as a Bernoulli likelihood needs (its cross-entropy has no meaning outside,
    /// and dynamic binarisation draws x ~ Bernoulli(value)).
    /// </summary>
    /// <param name="name">What the data is called in the message, e.g. "training data".</param>
    /// <exception cref="ArgumentException">A value outside [0, 1]: names the sample, the index in it and the value.</exception>
    public void CheckUnitInterval(string name)
    {
        int i = Features.AsSpan().IndexOfAnyExceptInRange(0f, 1f);
        if (i < 0) return;
        int size = SampleSize;
        throw new ArgumentException($"{name}: sample {i / size}, value {i % size} is {Features[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                                    $"a Bernoulli likelihood needs values in [0, 1] (divide the data by its maximum with {DataOptions.Name(nameof(DataOptions.Scale))}, or use a Gaussian likelihood).", name);
    }

    /// <summary>The samples with the given indices, in that order, as a new data set.</summary>
    public Dataset Subset(IReadOnlyList<int> indices)
    {
        int size = SampleSize;
        var features = new float[indices.Count * size];
        int[]? labels = Labels is null ? null : new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(Features, (long)indices[i] * size, features, (long)i * size, size);
            if (labels is not null) labels[i] = Labels![indices[i]];
        }
        return new Dataset(features, SampleShape, labels, ClassCount)
        {
            ClassNames = ClassNames,
            Normalization = Normalization,
            SampleNames = SampleNames is null ? null : indices.Select(i => SampleNames[i]).ToArray(),
            Skipped = Skipped,
        };
    }

    /// <summary>The first <paramref name="count"/> samples (or all, if fewer).</summary>
    public Dataset Take(int count) => Subset(Enumerable.Range(0, Math.Min(count, Count)).ToArray());
}
