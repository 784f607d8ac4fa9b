using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Vae.Server.Operations;

/// <summary>
/// Writes 8-bit greyscale or RGB pictures as PNG (ISO/IEC 15948): signature, IHDR, one zlib-compressed IDAT with filter
/// type 0 on every scanline, IEND; each chunk with its CRC-32.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Encodes <paramref name="pixels"/>: height rows of width × channels bytes (channels 1: grey, 3: RGB, interleaved).</summary>
    /// <exception cref="ArgumentException">A size is not positive, channels is not 1 or 3, or the pixel count does not fit.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"the picture is {width}×{height}; expected positive sizes.", nameof(width));
        if (channels is not (1 or 3)) throw new ArgumentException($"{nameof(channels)} is {channels}; expected 1 (grey) or 3 (RGB).", nameof(channels));
        int stride = width * channels;
        if (pixels.Length != (long)stride * height)
            throw new ArgumentException($"length of {nameof(pixels)} is {pixels.Length}, expected {(long)stride * height} ({width}×{height}×{channels}).", nameof(pixels));
        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                                   // bit depth
        header[9] = (byte)(channels == 1 ? 0 : 2);        // colour type: greyscale or truecolour
        header[10] = header[11] = header[12] = 0;         // deflate, adaptive filtering, no interlace
        WriteChunk(png, "IHDR", header);
        using (var data = new MemoryStream())
        {
            using (var zlib = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    zlib.WriteByte(0); // filter type None
                    zlib.Write(pixels.Slice(y * stride, stride));
                }
            }
            WriteChunk(png, "IDAT", data.GetBuffer().AsSpan(0, (int)data.Length));
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        png.Write(word);
    }

    /// <summary>CRC-32 (the PNG specification's, polynomial 0xEDB88320) continued over <paramref name="data"/>.</summary>
    internal static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
