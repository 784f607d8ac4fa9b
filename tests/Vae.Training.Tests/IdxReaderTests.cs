using System.Buffers.Binary;
using System.IO.Compression;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Training.Tests;

public class IdxReaderTests
{
    private static byte[] Idx(byte type, int[] shape, byte[] payload)
    {
        var bytes = new byte[4 + 4 * shape.Length + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        payload.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    private static string Write(byte[] bytes, string name = "file-idx")
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Reads_ubyte_images_of_any_size()
    {
        byte[] payload = Enumerable.Range(0, 2 * 3 * 5).Select(i => (byte)i).ToArray();
        IdxArray array = IdxReader.Read(Write(Idx(0x08, [2, 3, 5], payload)));
        Assert.Equal([2, 3, 5], array.Shape);
        Assert.Equal(15, array.ItemSize);
        Assert.Equal(payload.Select(b => (float)b), array.Values);
    }

    [Fact]
    public void Reads_gzip_compressed_files_by_content()
    {
        byte[] plain = Idx(0x08, [4], [1, 2, 3, 250]);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(plain);
        IdxArray array = IdxReader.Read(Write(compressed.ToArray(), "labels.gz"));
        Assert.Equal([1f, 2f, 3f, 250f], array.Values);
    }

    [Fact]
    public void Reads_big_endian_floats()
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(payload, 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(payload.AsSpan(4), -2.25f);
        Assert.Equal([1.5f, -2.25f], IdxReader.Read(Write(Idx(0x0D, [2], payload))).Values);
    }

    [Fact]
    public void Bad_magic_names_the_file()
    {
        string path = Write([0x1F, 0x00, 0x08, 0x01, 0, 0, 0, 0]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("bad magic", e.Message);
    }

    [Fact]
    public void Truncated_payload_is_reported_with_sizes()
    {
        byte[] bytes = Idx(0x08, [10, 28, 28], new byte[10 * 28 * 28 - 1]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(Write(bytes)));
        Assert.Contains("payload truncated", e.Message);
        Assert.Contains((16 + 10 * 28 * 28).ToString(), e.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        byte[] plain = Idx(0x08, [1000], new byte[1000]);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(plain);
        byte[] cut = compressed.ToArray()[..(int)(compressed.Length / 2)];
        Assert.Throws<DataFormatException>(() => IdxReader.Read(Write(cut, "x.gz")));
    }

    [Fact]
    public void Unknown_element_type_is_rejected()
    {
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(Write(Idx(0x07, [1], [0]))));
        Assert.Contains("unknown element type 0x07", e.Message);
    }

    [Fact]
    public void Label_count_mismatch_names_both_files()
    {
        string images = Write(Idx(0x08, [3, 2, 2], new byte[12]), "images-idx3-ubyte");
        string labels = Write(Idx(0x08, [2], [0, 1]), "labels-idx1-ubyte");
        var e = Assert.Throws<DataFormatException>(() => Mnist.FromIdx(images, labels));
        Assert.Contains("2 labels for 3 images", e.Message);
    }

    [Fact]
    public void Wrong_checksum_is_reported()
    {
        string folder = RepoPaths.NewTempFolder();
        string path = Path.Combine(folder, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(path, Idx(0x08, [2], [0, 1]));
        var e = Assert.Throws<DataFormatException>(() => Mnist.VerifyChecksum(path));
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains(Mnist.Sha256["t10k-labels-idx1-ubyte"], e.Message);
    }

    [Fact]
    public void Real_mnist_test_split_loads_verified_and_scaled()
    {
        Dataset test = Mnist.LoadTest(RepoPaths.RequireMnist());
        Assert.Equal(10_000, test.Count);
        Assert.Equal([1, 28, 28], test.SampleShape);
        Assert.Equal(10, test.ClassCount);
        Assert.InRange(test.Features.Min(), 0f, 0f);
        Assert.InRange(test.Features.Max(), 1f, 1f);
        Assert.Equal(7, test.Labels![0]); // the first MNIST test digit is a 7
    }
}
