using Vae.Inference;

namespace Vae.Training.Data;

/// <summary>How to read a data set: scaling or normalisation, CSV layout, image size, and how many samples.</summary>
public sealed record DataOptions
{
    /// <summary>idx images: the idx label file, if any.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>CSV: the first row holds column names (default false).</summary>
    public bool CsvHeader { get; init; }

    /// <summary>CSV: zero-based column holding an integer class label, or null for none.</summary>
    public int? LabelColumn { get; init; }

    /// <summary>Divide every value by this (default 0: automatic — 255 when the largest value exceeds 1, else 1).</summary>
    public double Scale { get; init; }

    /// <summary>CSV: shape of one sample, e.g. [1, 28, 28]; null for [columns].</summary>
    public int[]? Shape { get; init; }

    /// <summary>Image folders: bring every image to [height, width] (centre crop to that aspect ratio, then resample);
    /// null (default) for images that are already all one size.</summary>
    public int[]? ImageSize { get; init; }

    /// <summary>Only the first N samples (default 0: all). Image folders decode no more images than that; the class count
    /// and names stay those of the whole set.</summary>
    public int Limit { get; init; }

    /// <summary>Image folders: read colour images as one luma channel (ITU-R BT.601, as PIL's <c>convert("L")</c>);
    /// default false (a folder with any colour image is read as RGB).</summary>
    public bool Grayscale { get; init; }

    /// <summary>Normalise each value with statistics of this data set: <see cref="NormalizationKind.Standard"/> or
    /// <see cref="NormalizationKind.MinMax"/>; null (default) divides by <see cref="Scale"/>. The fitted
    /// normalisation is the data set's <see cref="Dataset.Normalization"/>: give it as <see cref="Normalization"/> to read
    /// test data the same way.</summary>
    public NormalizationKind? Normalize { get; init; }

    /// <summary>A normalisation to apply as it is, not fitted: the training set's for its test set, a model's at inference;
    /// null (default) for <see cref="Normalize"/> / <see cref="Scale"/>.</summary>
    public InputNormalization? Normalization { get; init; }

    /// <summary>The most pixels <see cref="ImageSize"/> may ask for (4,096 × 4,096): far beyond what a VAE trains on, and
    /// small enough that a data set of such images is still addressable.</summary>
    public const int MaxImagePixels = 4096 * 4096;

    /// <summary>Checks the options before any file is read, so a bad option costs no parsing.</summary>
    /// <exception cref="ArgumentException">A negative, infinite or NaN <see cref="Scale"/>, a negative <see cref="Limit"/>, or an
    /// <see cref="ImageSize"/> that is not [height, width] with both &gt; 0 and at most <see cref="MaxImagePixels"/> pixels.</exception>
    public DataOptions Validate()
    {
        if (Scale < 0 || !double.IsFinite(Scale))
            throw new ArgumentException($"{Name(nameof(Scale))} is {Scale}; expected a finite value > 0, or 0 for automatic (÷ 255 when values exceed 1).", nameof(Scale));
        if (Normalize == NormalizationKind.Scale)
            throw new ArgumentException($"{Name(nameof(Normalize))} is scale; expected standard or minmax (a fixed divisor is {Name(nameof(Scale))}).", nameof(Normalize));
        if (Normalize is { } kind && !Enum.IsDefined(kind))
            throw new ArgumentException($"{Name(nameof(Normalize))} is {(int)kind}; expected standard or minmax.", nameof(Normalize));
        if (Normalize is not null && Scale != 0)
            throw new ArgumentException($"{Name(nameof(Normalize))} is {InputNormalization.KindName(Normalize.Value)} and {Name(nameof(Scale))} is {Scale}: both say how to scale the values; give one.", nameof(Normalize));
        if (Normalization is not null && (Normalize is not null || Scale != 0))
            throw new ArgumentException($"{Name(nameof(Normalization))} ({Normalization.Describe()}) is applied as it is; {Name(Normalize is not null ? nameof(Normalize) : nameof(Scale))} cannot be given with it.", nameof(Normalization));
        if (Limit < 0) throw new ArgumentException($"{Name(nameof(Limit))} is {Limit}; expected ≥ 0 (0: all samples).", nameof(Limit));
        if (ImageSize is { } size && (size.Length != 2 || size[0] <= 0 || size[1] <= 0 || (long)size[0] * size[1] > MaxImagePixels))
            throw new ArgumentException($"{Name(nameof(ImageSize))} is [{string.Join(", ", size)}]; expected [height, width], " +
                                        $"both > 0 and at most {MaxImagePixels:N0} pixels in all.", nameof(ImageSize));
        return this;
    }

    /// <summary>A member's name as errors give it, e.g. DataOptions.Scale.</summary>
    internal static string Name(string member) => $"{nameof(DataOptions)}.{member}";
}

/// <summary>
/// Loads a data set from a path, recognising its kind: a folder with the MNIST idx files, a folder of images
/// (<see cref="ImageFolder"/>),
/// a CSV file (<c>.csv</c>), or an idx file (plain or gzip).
/// </summary>
public static class DataSource
{
    /// <summary>True when <paramref name="folder"/> holds the four MNIST files.</summary>
    public static bool IsMnistFolder(string folder) =>
        Directory.Exists(folder) && Mnist.Sha256.Keys.All(name => File.Exists(Path.Combine(folder, name)));

    /// <summary>Loads the training part of <paramref name="path"/> (for an MNIST folder: its 60,000 training images).</summary>
    /// <exception cref="DataFormatException">The content is malformed; the message names the file and the place.</exception>
    public static Dataset Load(string path, DataOptions options) => Load(path, options, mnistSplit: "train");

    /// <summary>Loads the test part of an MNIST folder (its 10,000 test images), or <paramref name="path"/> itself otherwise.</summary>
    public static Dataset LoadTest(string path, DataOptions options) => Load(path, options, mnistSplit: "t10k");

    private static Dataset Load(string path, DataOptions options, string mnistSplit)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (Directory.Exists(path) && !IsMnistFolder(path)) return ImageFolder.Load(path, options);
        // raw values first, so that a fitted normalisation (and the automatic ÷ 255) sees only the samples kept
        Dataset data = LoadWhole(path, options with { Scale = 1, Normalize = null, Normalization = null }, mnistSplit);
        if (options.Limit > 0 && options.Limit < data.Count) data = data.Take(options.Limit);
        return Normalizing.Apply(data, options, path);
    }

    private static Dataset LoadWhole(string path, DataOptions options, string mnistSplit)
    {
        if (Directory.Exists(path))
        {
            RefuseImageOptions(path, "an MNIST folder", options);
            return Mnist.Load(path, mnistSplit, options: options);
        }
        if (!File.Exists(path))
            throw new FileNotFoundException($"data not found: {path}; expected an MNIST folder, a folder of images, a .csv file or an idx file. Run 'make data' for MNIST.", path);
        RefuseImageOptions(path, "a file", options);
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
            return CsvData.Load(path, options);
        return IdxImages(path, options);
    }

    /// <summary>Image-folder options on other data are a mistake (the user meant other data), not something to ignore.</summary>
    private static void RefuseImageOptions(string path, string kind, DataOptions options)
    {
        if (options.ImageSize is not null || options.Grayscale)
            throw new ArgumentException($"{DataOptions.Name(options.ImageSize is not null ? nameof(DataOptions.ImageSize) : nameof(DataOptions.Grayscale))} applies to folders of images; " +
                                        $"{path} is {kind}.", nameof(options));
    }

    private static Dataset IdxImages(string path, DataOptions options)
    {
        IdxArray images = IdxReader.Read(path);
        if (images.Shape.Length < 2)
            throw new DataFormatException(path, $"rank {images.Shape.Length}; an idx data file needs [N, ...sample shape].");
        int[]? labels = null;
        if (options.LabelsPath is { } labelsPath)
        {
            IdxArray l = IdxReader.Read(labelsPath);
            if (l.Shape.Length != 1 || l.Count != images.Count)
                throw new DataFormatException(labelsPath, $"shape [{string.Join(", ", l.Shape)}]; expected [{images.Count}] (one label per sample of {path}).");
            labels = l.Labels(labelsPath);
        }
        int[] shape = images.Shape.Length == 3 ? [1, images.Shape[1], images.Shape[2]] : images.Shape[1..];
        return Normalizing.Apply(new Dataset(images.Values, shape, labels), options, path);
    }
}
