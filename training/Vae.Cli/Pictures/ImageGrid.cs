using SkiaSharp;

namespace Vae.Cli.Pictures;

/// <summary>
/// Lays out images (values in [0, 1], shape [C, H, W] with C = 1 or 3) in a grid, upscaled with nearest
/// neighbour and separated by thin lines, and saves the result as PNG with SkiaSharp.
/// </summary>
internal static class ImageGrid
{
    /// <summary>Writes <paramref name="images"/> row by row, <paramref name="columns"/> per row, to <paramref name="path"/>.</summary>
    /// <returns>The picture's width and height in pixels.</returns>
    public static (int Width, int Height) Save(string path, IReadOnlyList<float[]> images, int[] imageShape, int columns, int scale = 3, int gap = 2)
    {
        if (images.Count == 0) throw new ArgumentException("no images to draw.", nameof(images));
        if (columns <= 0) throw new ArgumentException($"{nameof(columns)} is {columns}; expected at least 1.", nameof(columns));
        if (imageShape.Length != 3 || imageShape[0] is not (1 or 3))
            throw new ArgumentException($"image shape is [{string.Join(", ", imageShape)}]; expected [1, H, W] or [3, H, W].", nameof(imageShape));
        int channels = imageShape[0], height = imageShape[1], width = imageShape[2];
        int rows = (images.Count + columns - 1) / columns;
        int cellW = width * scale, cellH = height * scale;
        int totalW = columns * cellW + (columns + 1) * gap;
        int totalH = rows * cellH + (rows + 1) * gap;

        using var bitmap = new SKBitmap(totalW, totalH, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(200, 200, 200));
        for (int n = 0; n < images.Count; n++)
        {
            float[] image = images[n];
            if (image.Length != channels * height * width)
                throw new ArgumentException($"image {n} has {image.Length} values; expected {channels * height * width} ([{string.Join(", ", imageShape)}]).", nameof(images));
            int left = gap + (n % columns) * (cellW + gap);
            int top = gap + (n / columns) * (cellH + gap);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    SKColor color = channels == 1
                        ? Gray(image[y * width + x])
                        : new SKColor(Byte(image[y * width + x]), Byte(image[height * width + y * width + x]), Byte(image[2 * height * width + y * width + x]));
                    for (int dy = 0; dy < scale; dy++)
                        for (int dx = 0; dx < scale; dx++)
                            bitmap.SetPixel(left + x * scale + dx, top + y * scale + dy, color);
                }
            }
        }

        Vae.Training.AtomicFile.Write(path, temp =>
        {
            using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            using FileStream file = File.Create(temp);
            png.SaveTo(file);
        });
        return (totalW, totalH);
    }

    private static byte Byte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);

    private static SKColor Gray(float v)
    {
        byte b = Byte(v);
        return new SKColor(b, b, b);
    }
}
