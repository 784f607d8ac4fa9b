using SkiaSharp;

namespace Vae.Training.Data;

/// <summary>
/// Reads a folder of PNG images, all of one size: grayscale images give [1, H, W] samples, colour ones [3, H, W]
/// (alpha is dropped; a folder with any colour image is read as RGB). PNGs directly in the folder are unlabelled;
/// PNGs in sub-folders are labelled by sub-folder, in ordinal name order (<see cref="Dataset.ClassNames"/>); each sample is
/// named by its path relative to the folder (<see cref="Dataset.SampleNames"/>).
/// Empty folders, undecodable files and mixed sizes raise a <see cref="DataFormatException"/> naming the image.
/// </summary>
public static class PngFolder
{
    /// <summary>Loads <paramref name="folder"/>; pixel values are divided by <paramref name="scale"/> (0: by 255).</summary>
    public static Dataset Load(string folder, double scale = 0)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"image folder not found: {folder}");
        string[] classes = Directory.GetDirectories(folder).Where(d => Directory.EnumerateFiles(d, "*.png").Any())
                                    .Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        var files = new List<(string Path, int Label)>();
        if (classes.Length > 0)
        {
            for (int c = 0; c < classes.Length; c++)
                files.AddRange(Directory.GetFiles(Path.Combine(folder, classes[c]), "*.png").Order(StringComparer.Ordinal).Select(f => (f, c)));
        }
        else files.AddRange(Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).Select(f => (f, -1)));
        if (files.Count == 0)
            throw new DataFormatException(folder, "no PNG images; expected *.png files in the folder or in one sub-folder per class.");

        var images = new List<(SKBitmap Bitmap, string Path)>();
        try
        {
            bool color = false;
            foreach (var (path, _) in files)
            {
                SKBitmap bitmap = SKBitmap.Decode(path) ?? throw new DataFormatException(path, "not a decodable PNG image.");
                images.Add((bitmap, path));
                var first = images[0].Bitmap;
                if (bitmap.Width != first.Width || bitmap.Height != first.Height)
                    throw new DataFormatException(path, $"image is {bitmap.Width}×{bitmap.Height}; {images[0].Path} is {first.Width}×{first.Height} and all images must be one size.");
                color |= bitmap.ColorType != SKColorType.Gray8 && !IsGray(bitmap);
            }
            int h = images[0].Bitmap.Height, w = images[0].Bitmap.Width, channels = color ? 3 : 1;
            var values = new float[images.Count * channels * h * w];
            float divisor = scale == 0 ? 255f : (float)scale;
            int offset = 0;
            foreach (var (bitmap, _) in images)
            {
                for (int ch = 0; ch < channels; ch++)
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++)
                        {
                            SKColor p = bitmap.GetPixel(x, y);
                            byte v = channels == 1 ? p.Red : ch switch { 0 => p.Red, 1 => p.Green, _ => p.Blue };
                            values[offset++] = v / divisor;
                        }
            }
            int[]? labels = classes.Length > 0 ? files.Select(f => f.Label).ToArray() : null;
            return new Dataset(values, [channels, h, w], labels, classes.Length)
            {
                ClassNames = classes.Length > 0 ? classes : null,
                SampleNames = files.Select(f => Path.GetRelativePath(folder, f.Path).Replace(Path.DirectorySeparatorChar, '/')).ToArray(),
            };
        }
        finally
        {
            foreach (var (bitmap, _) in images) bitmap.Dispose();
        }
    }

    private static bool IsGray(SKBitmap bitmap)
    {
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor p = bitmap.GetPixel(x, y);
                if (p.Red != p.Green || p.Green != p.Blue) return false;
            }
        return true;
    }
}
