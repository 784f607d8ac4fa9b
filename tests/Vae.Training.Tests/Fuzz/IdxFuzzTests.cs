using System.Buffers.Binary;
using System.IO.Compression;
using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Data;
using Xunit.Abstractions;

namespace Vae.Training.Tests.Fuzz;

/// <summary>
/// The idx reader on mutated files, plain and gzip: every case is read exactly as an independent parser of the format
/// reads it, or refused with a <see cref="DataFormatException"/> naming the file.
/// </summary>
public class IdxFuzzTests(ITestOutputHelper output)
{
    private static readonly (byte Type, int[] Shape)[] Seeds = [(0x08, [6, 4, 3]), (0x0D, [5, 2]), (0x0B, [7]), (0x0C, [2, 2, 2, 2]), (0x0E, [3, 2]), (0x09, [9])];

    [Fact]
    public void Plain_idx_files_are_read_exactly_or_refused_naming_the_file()
    {
        string folder = RepoPaths.NewTempFolder();
        FuzzRunner.Run("idx (plain)", FuzzRunner.Cases(2500), seed: 1_000, (random, i) =>
        {
            var (type, shape) = Seeds[random.Next(Seeds.Length)];
            var (bytes, what) = FuzzMutator.Bytes(Valid(type, shape, random), random);
            string path = Path.Combine(folder, $"case{i}-idx");
            File.WriteAllBytes(path, bytes);
            return Case(path, bytes, what);
        }, output);
    }

    [Fact]
    public void Gzip_idx_files_are_read_exactly_or_refused_naming_the_file()
    {
        string folder = RepoPaths.NewTempFolder();
        FuzzRunner.Run("idx (gzip)", FuzzRunner.Cases(2000), seed: 2_000, (random, i) =>
        {
            var (type, shape) = Seeds[random.Next(Seeds.Length)];
            byte[] plain = Valid(type, shape, random);
            var (bytes, what) = FuzzMutator.Bytes(Gzip(plain), random);
            string path = Path.Combine(folder, $"case{i}-idx.gz");
            File.WriteAllBytes(path, bytes);
            var (content, whole) = Decompressed(bytes);
            return Case(path, content, what, damagedAfter: !whole);
        }, output);
    }

    [Fact]
    public void A_gzip_bomb_is_refused_after_the_declared_payload()
    {
        // 10 bytes declared, 100 MB of zeros behind them: the reader stops one byte past the payload
        byte[] plain = new byte[8 + 100_000_000];
        plain[2] = 0x08;
        plain[3] = 1;
        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(4), 10);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "bomb-idx1-ubyte.gz");
        File.WriteAllBytes(path, Gzip(plain));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Contains(path, e.Message);
        Assert.Contains("trailing bytes after payload", e.Message);
        Assert.True(allocated < 10_000_000, $"reading the bomb allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_header_declaring_more_than_one_array_is_refused_before_anything_is_allocated()
    {
        byte[] header = new byte[16];
        header[2] = 0x08;
        header[3] = 3;
        foreach (int d in new[] { 1, 2, 3 }) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 * d), 100_000);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "huge-idx3-ubyte");
        File.WriteAllBytes(path, header);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("the most one array holds", e.Message);
    }

    /// <param name="damagedAfter">The gzip stream is damaged after <paramref name="content"/>: a reader that stops at the end
    /// of the declared payload may not see the damage, and then must have read exactly that payload.</param>
    private static FuzzCase Case(string path, byte[] content, string what, bool damagedAfter = false) => new()
    {
        Description = what,
        IsClearError = e => e is DataFormatException && e.Message.Contains(path, StringComparison.Ordinal),
        Read = () =>
        {
            IdxArray array = IdxReader.Read(path);
            // the independent parser must agree on everything the file holds
            if (Reference(damagedAfter ? DeclaredPart(content) : content) is not { } expected)
                throw new FuzzMismatch($"read [{string.Join(", ", array.Shape)}], but the content is not a valid idx file");
            if (!array.Shape.SequenceEqual(expected.Shape) || !array.Values.AsSpan().SequenceEqual(expected.Values))
                throw new FuzzMismatch($"read [{string.Join(", ", array.Shape)}], expected [{string.Join(", ", expected.Shape)}] or other values");
        },
    };

    /// <summary>A valid file of <paramref name="type"/> and <paramref name="shape"/> with random values.</summary>
    private static byte[] Valid(byte type, int[] shape, Random random)
    {
        int size = type switch { 0x08 or 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, _ => 8 };
        var bytes = new byte[4 + 4 * shape.Length + shape.Aggregate(1, (a, b) => a * b) * size];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        random.NextBytes(bytes.AsSpan(4 + 4 * shape.Length));
        return bytes;
    }

    /// <summary>An idx parser written from the format's description, for comparison: the shape and values, or null when invalid.</summary>
    private static IdxArray? Reference(byte[] b)
    {
        if (b.Length < 4 || b[0] != 0 || b[1] != 0 || b[3] == 0) return null;
        int size = b[2] switch { 0x08 or 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, 0x0E => 8, _ => 0 };
        if (size == 0 || b.Length < 4 + 4 * b[3]) return null;
        var shape = new int[b[3]];
        System.Numerics.BigInteger count = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4 + 4 * d));
            if (shape[d] < 0) return null;
            count *= shape[d];
        }
        int header = 4 + 4 * shape.Length;
        if (count * size > Array.MaxLength || header + count * size != b.Length) return null;
        var values = new float[(int)count];
        for (int i = 0; i < values.Length; i++)
        {
            ReadOnlySpan<byte> v = b.AsSpan(header + i * size, size);
            values[i] = b[2] switch
            {
                0x08 => v[0],
                0x09 => (sbyte)v[0],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(v),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(v),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(v),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(v),
            };
        }
        return new IdxArray(shape, values);
    }

    private static byte[] Gzip(byte[] plain)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(plain);
        return compressed.ToArray();
    }

    /// <summary>The content a reader sees in a (possibly damaged) file: the bytes themselves unless they start with gzip's
    /// magic, else what decompresses before the stream ends or turns out damaged (<c>Whole</c> false).</summary>
    private static (byte[] Content, bool Whole) Decompressed(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B) return (bytes, true);
        using var plain = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            var buffer = new byte[1];
            while (gzip.Read(buffer) == 1) plain.WriteByte(buffer[0]);   // byte by byte: keep all that came out before the damage
            return (plain.ToArray(), true);
        }
        catch (InvalidDataException)
        {
            return (plain.ToArray(), false);
        }
    }

    /// <summary>The header and the payload it declares, from the start of <paramref name="content"/> (all of it when the header is incomplete).</summary>
    private static byte[] DeclaredPart(byte[] content)
    {
        if (content.Length < 4 || content[3] == 0 || content.Length < 4 + 4 * content[3]) return content;
        int size = content[2] switch { 0x08 or 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, 0x0E => 8, _ => 0 };
        long length = 4 + 4 * content[3];
        long count = 1;
        for (int d = 0; d < content[3] && count <= Array.MaxLength; d++) count *= Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + 4 * d)));
        length += count * size;
        return size == 0 || length > content.Length ? content : content[..(int)length];
    }
}
