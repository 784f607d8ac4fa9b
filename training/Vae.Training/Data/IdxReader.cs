using System.Buffers.Binary;
using System.IO.Compression;

namespace Vae.Training.Data;

/// <summary>An idx array (LeCun's MNIST format): its shape and its values as floats.</summary>
/// <param name="Shape">Dimensions, outermost first; Shape[0] is the item count.</param>
/// <param name="Values">Values in row-major order, converted to float without scaling.</param>
public sealed record IdxArray(int[] Shape, float[] Values)
{
    /// <summary>The values as class labels, one per item of a rank-1 array; <paramref name="path"/> names the file in errors.</summary>
    /// <exception cref="DataFormatException">A value that is not a whole number from 0 to <see cref="Dataset.MaxClasses"/> − 1.</exception>
    public int[] Labels(string path)
    {
        var labels = new int[Values.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            float v = Values[i];
            if (!(v >= 0 && v < Dataset.MaxClasses && v == MathF.Floor(v)))
                throw new DataFormatException(path, $"label {i} is {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}; expected a class from 0 to {Dataset.MaxClasses - 1}.");
            labels[i] = (int)v;
        }
        return labels;
    }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Shape[0];

    /// <summary>Values per item (product of all dimensions but the first).</summary>
    public int ItemSize => Shape.Skip(1).Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// Reads idx files of any element type and rank, plain or gzip-compressed (detected from the
/// content, not the name). The header's shape bounds what is read: a file is never read or decompressed past the
/// payload it declares (a 3.9 MB gzip bomb expanding to 4 GB used 4.2 GB before failing), and a declared payload beyond
/// one .NET array is refused before anything is allocated. Every malformation raises a <see cref="DataFormatException"/>
/// naming the file.
/// </summary>
public static class IdxReader
{
    /// <summary>The largest payload an idx file may declare, in bytes (one .NET array).</summary>
    public static readonly long MaxPayloadBytes = Array.MaxLength;

    /// <summary>Reads an idx file.</summary>
    /// <exception cref="DataFormatException">Bad magic, unknown element type, a payload larger than <see cref="MaxPayloadBytes"/>,
    /// truncated or oversized payload, or a corrupt gzip stream.</exception>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"idx file not found: {path}", path);
        using FileStream file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzip = got == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        if (!gzip) return Read(file, path, file.Length);
        try
        {
            using var stream = new GZipStream(file, CompressionMode.Decompress);
            return Read(stream, path, length: null);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }

    /// <summary>Parses idx content already in memory; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="DataFormatException">As <see cref="Read(string)"/>.</exception>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string name)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return Read(stream, name, bytes.Length);
    }

    /// <summary>Reads the header, then exactly the payload it declares; <paramref name="length"/> is the stream's size when known (not for gzip).</summary>
    private static IdxArray Read(Stream stream, string name, long? length)
    {
        var start = new byte[4];
        int got = stream.ReadAtLeast(start, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException(name, $"file is {got} bytes; an idx header needs at least 4.");
        if (start[0] != 0 || start[1] != 0)
            throw new DataFormatException(name, $"bad magic 0x{start[0]:X2}{start[1]:X2}{start[2]:X2}{start[3]:X2}; an idx file starts with two zero bytes, a type code and a rank.");
        byte type = start[2];
        int rank = start[3];
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
        var dims = new byte[4 * rank];
        got = stream.ReadAtLeast(dims, dims.Length, throwOnEndOfStream: false);
        if (got < dims.Length)
            throw new DataFormatException(name, $"header truncated: rank {rank} needs {header} bytes, file has {4 + got}.");

        var shape = new int[rank];
        long count = 1;   // stays ≤ MaxPayloadBytes: checked before every multiplication
        for (int d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(dims.AsSpan(4 * d));
            if (shape[d] < 0) throw new DataFormatException(name, $"dimension {d} is {shape[d]}; dimensions must be non-negative.");
            if (count > 0 && shape[d] > MaxPayloadBytes / elementSize / count)
                throw new DataFormatException(name, $"shape [{string.Join(", ", shape[..(d + 1)])}{(d + 1 < rank ? ", …" : "")}] of {elementSize}-byte values declares more than " +
                                                    $"{MaxPayloadBytes:N0} bytes of payload, the most one array holds.");
            count *= shape[d];
        }
        long expected = header + count * elementSize;
        if (length is { } known && known != expected)
        {
            string what = known < expected ? "payload truncated" : "trailing bytes after payload";
            throw new DataFormatException(name, $"{what}: shape [{string.Join(", ", shape)}] of {elementSize}-byte values needs {expected} bytes, file has {known}.");
        }

        var payload = new byte[count * elementSize];
        got = stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (got < payload.Length)
            throw new DataFormatException(name, $"payload truncated: shape [{string.Join(", ", shape)}] of {elementSize}-byte values needs {expected} bytes, the content has {header + got}.");
        if (length is null && stream.ReadByte() >= 0)
            throw new DataFormatException(name, $"trailing bytes after payload: shape [{string.Join(", ", shape)}] of {elementSize}-byte values needs {expected} bytes, the content has more " +
                                                "(it was not decompressed further).");

        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type switch
            {
                0x08 => payload[i],
                0x09 => (sbyte)payload[i],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(2 * i)),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4 * i)),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(payload.AsSpan(4 * i)),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(payload.AsSpan(8 * i)),
            };
        }
        return new IdxArray(shape, values);
    }
}
