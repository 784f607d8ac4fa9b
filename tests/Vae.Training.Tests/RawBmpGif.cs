using System.Buffers.Binary;

namespace Vae.Training.Tests;

/// <summary>
/// Writes BMP and GIF files byte for byte (Skia decodes both but encodes neither), so the image-folder tests can show
/// what each format's pixels read as.
/// </summary>
internal static class RawBmpGif
{
    /// <summary>A 24-bit BMP (BITMAPINFOHEADER, bottom-up rows padded to 4 bytes) of <paramref name="rgb"/>(x, y).</summary>
    public static void WriteBmp(string path, int width, int height, Func<int, int, (byte R, byte G, byte B)> rgb)
    {
        int stride = (3 * width + 3) / 4 * 4, size = 54 + stride * height;
        var bytes = new byte[size];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);     // pixel data offset
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);     // BITMAPINFOHEADER
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height); // positive: bottom-up
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);      // planes
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);     // bits per pixel
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), stride * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = rgb(x, y);
                int at = 54 + (height - 1 - y) * stride + 3 * x;
                (bytes[at], bytes[at + 1], bytes[at + 2]) = (b, g, r);
            }
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// A GIF89a of <paramref name="index"/>(x, y) into a four-colour <paramref name="palette"/> (12 bytes, R G B each).
    /// The LZW stream sends a clear code before every two pixels, so the code table never grows past 3-bit codes.
    /// </summary>
    public static void WriteGif(string path, int width, int height, byte[] palette, Func<int, int, int> index)
    {
        const int minCodeSize = 2, clear = 4, end = 5, codeBits = 3;
        var codes = new List<int>();
        for (int i = 0; i < width * height; i++)
        {
            if (i % 2 == 0) codes.Add(clear);
            codes.Add(index(i % width, i / width));
        }
        codes.Add(end);
        var lzw = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (int code in codes)
        {
            buffer |= code << bits;
            for (bits += codeBits; bits >= 8; bits -= 8, buffer >>= 8) lzw.Add((byte)buffer);
        }
        if (bits > 0) lzw.Add((byte)buffer);

        var gif = new List<byte>("GIF89a"u8.ToArray());
        gif.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x81, 0, 0]);   // global table of 4 colours
        gif.AddRange(palette);
        gif.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        gif.Add(minCodeSize);
        for (int at = 0; at < lzw.Count; at += 255)
        {
            int n = Math.Min(255, lzw.Count - at);
            gif.Add((byte)n);
            gif.AddRange(lzw.GetRange(at, n));
        }
        gif.AddRange([0, 0x3B]);
        File.WriteAllBytes(path, gif.ToArray());
    }
}
