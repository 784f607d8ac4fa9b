using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Vae.Training.Tests;

/// <summary>
/// Writes PNG files byte for byte (no image library in between), so tests control exactly what is stored: alpha that a
/// premultiplying encoder would change, 16-bit samples, palettes, truncated data.
/// </summary>
internal static class RawPng
{
    /// <summary>PNG colour types (PNG spec, table 11.1).</summary>
    public const byte Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    /// <summary>Writes a <paramref name="width"/>×<paramref name="height"/> PNG whose scanlines hold
    /// <paramref name="sample"/>(x, y) — the pixel's samples in file order (e.g. R, G, B, A), each written in
    /// <paramref name="bitDepth"/> bits (8 or 16).</summary>
    public static byte[] Encode(int width, int height, byte colorType, int bitDepth, Func<int, int, int[]> sample, byte[]? palette = null)
    {
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0);   // filter: none
            for (int x = 0; x < width; x++)
                foreach (int v in sample(x, y))
                {
                    if (bitDepth == 16) { raw.WriteByte((byte)(v >> 8)); raw.WriteByte((byte)v); }
                    else raw.WriteByte((byte)v);
                }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) raw.WriteTo(z);

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = colorType;
        Chunk(png, "IHDR", header);
        if (palette is not null) Chunk(png, "PLTE", palette);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Writes <see cref="Encode"/>'s bytes to <paramref name="path"/>, creating its folder.</summary>
    public static void Write(string path, int width, int height, byte colorType, int bitDepth, Func<int, int, int[]> sample, byte[]? palette = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encode(width, height, colorType, bitDepth, sample, palette));
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
