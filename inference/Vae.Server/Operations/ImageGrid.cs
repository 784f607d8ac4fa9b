using Vae.Inference;
using Vae.Server.Oip;

namespace Vae.Server.Operations;

/// <summary>
/// Rows of an image model as one PNG: a grid of the images (the model's image shape [C, H, W], C = 1 or 3), two-pixel
/// gaps between them; values in [0, 1] map to 0–255 (outside: clipped), as the CLI's pictures draw them.
/// </summary>
internal static class ImageGrid
{
    private const int Gap = 2;

    /// <summary>Most pixels per side of a picture.</summary>
    public const int MostPixelsPerSide = 8192;

    /// <exception cref="ProtocolException">400: the model's samples are not images, or the grid would be too large.</exception>
    public static byte[] Png(VaeModelInfo info, ReadOnlySpan<float> rows, int count, int columns, string model)
    {
        int[] image = info.ImageShape;
        if (image.Length != 3 || image[0] is not (1 or 3) || image[0] * image[1] * image[2] != info.InputSize || image[1] < 2 || image[2] < 2)
            throw ProtocolException.BadRequest($"model '{model}' has image shape [{string.Join(",", image)}]; format png needs image samples [C,H,W] with C 1 or 3; use format json.");
        if (columns < 1) throw ProtocolException.BadRequest($"columns is {columns}; expected 1 or more.");
        int channels = image[0], h = image[1], w = image[2];
        columns = Math.Min(columns, count);
        int gridRows = (count + columns - 1) / columns;
        long width = (long)columns * w + (columns - 1) * Gap, height = (long)gridRows * h + (gridRows - 1) * Gap;
        if (width > MostPixelsPerSide || height > MostPixelsPerSide)
            throw ProtocolException.BadRequest($"the grid of {count} images in {columns} columns would be {width}×{height} pixels; expected at most {MostPixelsPerSide} per side (ask for fewer rows, or other columns).");
        var pixels = new byte[width * height * channels];
        for (int n = 0; n < count; n++)
        {
            int top = n / columns * (h + Gap), left = n % columns * (w + Gap);
            ReadOnlySpan<float> sample = rows.Slice(n * info.InputSize, info.InputSize);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        pixels[((top + y) * width + left + x) * channels + c] = Byte(sample[(c * h + y) * w + x]);
        }
        return PngEncoder.Encode(pixels, (int)width, (int)height, channels);
    }

    private static byte Byte(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);
}
