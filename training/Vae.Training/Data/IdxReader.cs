using System.Buffers.Binary;
using System.IO.Compression;

namespace Vae.Training.Data;

/// <summary>An idx array (LeCun's MNIST format): its shape and its values as floats.</summary>
/// <param name="Shape">Dimensions, outermost first; Shape[0] is the item count.</param>
/// <param name="Values">Values in row-major order, converted to float without scaling.</param>
public sealed record IdxArray(int[] Shape, float[] Values)
{
    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Shape[0];

    /// <summary>Values per item (product of all dimensions but the first).</summary>
    public int ItemSize => Shape.Skip(1).Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// Reads idx files of any element type and rank, plain or gzip-compressed (detected from the
/// content, not the name). Every malformation raises a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads an idx file.</summary>
    /// <exception cref="DataFormatException">Bad magic, unknown element type, or truncated/oversized payload.</exception>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"idx file not found: {path}", path);
        byte[] bytes = ReadAllDecompressed(path);
        return Parse(bytes, path);
    }

    /// <summary>Parses idx content already in memory; <paramref name="name"/> is used in error messages.</summary>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 4)
            throw new DataFormatException(name, $"file is {bytes.Length} bytes; an idx header needs at least 4.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException(name, $"bad magic 0x{bytes[0]:X2}{bytes[1]:X2}{bytes[2]:X2}{bytes[3]:X2}; an idx file starts with two zero bytes, a type code and a rank.");
        byte type = bytes[2];
        int rank = bytes[3];
        int elementSize = type switch
        {
            0x08 or 0x09 => 1,
            0x0B => 2,
            0x0C or 0x0D => 4,
            0x0E => 8,
            _ => throw new DataFormatException(name, $"unknown element type 0x{type:X2}; expected 0x08 (ubyte), 0x09 (sbyte), 0x0B (short), 0x0C (int), 0x0D (float) or 0x0E (double)."),
        };
        if (rank == 0) throw new DataFormatException(name, "rank 0; an idx file needs at least one dimension.");
        int header = 4 + 4 * rank;
        if (bytes.Length < header)
            throw new DataFormatException(name, $"header truncated: rank {rank} needs {header} bytes, file has {bytes.Length}.");

        var shape = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 + 4 * d));
            if (shape[d] < 0) throw new DataFormatException(name, $"dimension {d} is {shape[d]}; dimensions must be non-negative.");
            count *= shape[d];
        }
        long expected = header + count * elementSize;
        if (bytes.Length != expected)
        {
            string what = bytes.Length < expected ? "payload truncated" : "trailing bytes after payload";
            throw new DataFormatException(name, $"{what}: shape [{string.Join(", ", shape)}] of {elementSize}-byte values needs {expected} bytes, file has {bytes.Length}.");
        }

        var values = new float[count];
        ReadOnlySpan<byte> payload = bytes.Slice(header);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type switch
            {
                0x08 => payload[i],
                0x09 => (sbyte)payload[i],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(payload.Slice(2 * i)),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(payload.Slice(4 * i)),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(payload.Slice(4 * i)),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(payload.Slice(8 * i)),
            };
        }
        return new IdxArray(shape, values);
    }

    private static byte[] ReadAllDecompressed(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }
}
