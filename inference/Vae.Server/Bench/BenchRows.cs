using System.Buffers.Binary;
using System.IO.Compression;
using Vae.Inference;

namespace Vae.Server.Bench;

/// <summary>
/// The rows a benchmark runs on: real images from an idx file (MNIST's format, plain or gzip), normalised as the
/// model records, or — with no data — the decoder's outputs for prior samples, which have the model's own input
/// statistics. <see cref="Source"/> says which.
/// </summary>
internal sealed record BenchRows(float[] X, int Count, string Source)
{
    /// <summary>Test-image file names looked for inside a folder given as data (MNIST's own names).</summary>
    public static readonly string[] MnistTestImages = ["t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", "t10k-images.idx3-ubyte"];

    /// <summary>Reads <paramref name="count"/> rows for <paramref name="model"/>, repeating the data when it holds fewer.</summary>
    public static BenchRows Load(string? data, VaeModel model, int count)
    {
        if (data is null) return FromPrior(model, count);
        string file = Directory.Exists(data)
            ? MnistTestImages.Select(n => Path.Combine(data, n)).FirstOrDefault(File.Exists)
              ?? throw new FileNotFoundException($"{data}: no MNIST test images in this folder (expected one of {string.Join(", ", MnistTestImages)}).")
            : data;
        (byte[] pixels, int images, int size) = ReadIdxImages(file, count);
        if (size != model.InputSize)
            throw new InvalidDataException($"{file}: images of {size} values; the model's input has {model.InputSize}.");
        var raw = new float[count * size];
        for (int i = 0; i < raw.Length; i++) raw[i] = pixels[i % (images * size)];
        var x = new float[raw.Length];
        (model.Info.Normalization ?? InputNormalization.Scale(255f)).Apply(raw, x, size);
        return new BenchRows(x, count, $"{Path.GetFullPath(file)} (first {Math.Min(images, count)} images{(images < count ? ", repeated" : "")})");
    }

    /// <summary>The decoder's outputs for <paramref name="count"/> prior samples (seed 1), one row each.</summary>
    public static BenchRows FromPrior(VaeModel model, int count)
    {
        var x = new float[count * model.InputSize];
        model.Generate(x, seed: 1, labels: Labels(model, count));
        return new BenchRows(x, count, $"{count} rows decoded from prior samples (seed 1; no --data)");
    }

    /// <summary>Class labels 0, 1, … cycling, for a conditional model; empty for an unconditional one.</summary>
    public static int[] Labels(VaeModel model, int count) =>
        model.Classes > 0 ? [.. Enumerable.Range(0, count).Select(i => i % model.Classes)] : [];

    /// <summary>The first <paramref name="wanted"/> images (or all, if fewer) of an idx3 unsigned-byte file.</summary>
    public static (byte[] Pixels, int Images, int Size) ReadIdxImages(string path, int wanted)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> header = stackalloc byte[16];
        if (stream.ReadAtLeast(header, 16, throwOnEndOfStream: false) < 16)
            throw new InvalidDataException($"{path}: shorter than an idx header (16 bytes).");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic != 0x00000803)
            throw new InvalidDataException($"{path}: idx magic 0x{magic:X8}; expected 0x00000803 (unsigned bytes, 3 dimensions: images × rows × columns).");
        int images = BinaryPrimitives.ReadInt32BigEndian(header[4..]), rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]),
            columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (images < 1 || rows < 1 || columns < 1 || (long)rows * columns > 1 << 24)
            throw new InvalidDataException($"{path}: header says {images} images of {rows}×{columns}; expected at least one image of at most 16,777,216 values.");
        int size = rows * columns, take = Math.Min(images, wanted);
        var pixels = new byte[(long)take * size];
        int got = stream.ReadAtLeast(pixels, pixels.Length, throwOnEndOfStream: false);
        if (got < pixels.Length)
            throw new InvalidDataException($"{path}: ends after {got:N0} bytes of image data; its header promises at least {pixels.Length:N0}.");
        return (pixels, take, size);
    }
}
