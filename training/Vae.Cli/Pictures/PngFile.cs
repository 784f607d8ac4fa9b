using SkiaSharp;

namespace Vae.Cli.Pictures;

/// <summary>Saves pictures as PNG through a temporary file and a rename, so a crash never leaves a half-written picture.</summary>
internal static class PngFile
{
    /// <summary>Encodes <paramref name="bitmap"/> as PNG and writes it to <paramref name="path"/>.</summary>
    /// <returns>The picture's width and height in pixels.</returns>
    public static (int Width, int Height) Save(string path, SKBitmap bitmap)
    {
        using SKPixmap pixels = bitmap.PeekPixels();
        using SKData png = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 9))
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}×{bitmap.Height} picture as PNG.");
        Save(path, png.ToArray());
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>Writes already encoded PNG bytes to <paramref name="path"/>.</summary>
    public static void Save(string path, byte[] png)
    {
        CheckPath(path);
        Vae.Training.AtomicFile.WriteAllBytes(path, png);
    }

    /// <summary>Checks that <paramref name="path"/> names a .png file, before any work is done.</summary>
    public static void CheckPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("--out is empty; expected a .png path.", "--out");
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--out is '{path}'; expected a path ending in .png.", "--out");
        Vae.Training.OutputPath.CheckFile(path, "--out");
    }
}
