using System.Buffers;
using SkiaSharp;

namespace Vae.Training.Data;

/// <summary>
/// Brings an RGBA image to a target size the way image data sets are prepared for training (torchvision's
/// <c>Resize</c> + <c>CenterCrop</c>): the centred region of the target's aspect ratio is cut out, then resampled.
/// Shrinking averages the area each output pixel covers — source pixels weighted by their overlap, as OpenCV's
/// <c>INTER_AREA</c> — so nothing aliases, whole factors give exact block means, and it costs less than decoding the
/// image. Enlarging uses Skia's Mitchell cubic.
/// Alpha is not data: only R, G, B are resampled, and the result is opaque.
/// </summary>
internal static class ImageResize
{
    /// <summary>The <paramref name="width"/> × <paramref name="height"/> image <paramref name="rgba"/> at
    /// <paramref name="outWidth"/> × <paramref name="outHeight"/>, as RGBA bytes (alpha 255).</summary>
    public static byte[] To(ReadOnlySpan<byte> rgba, int width, int height, int outWidth, int outHeight)
    {
        SKRectI crop = CentreCrop(width, height, outWidth, outHeight);
        return outWidth <= crop.Width && outHeight <= crop.Height
            ? Shrink(rgba, width, crop, outWidth, outHeight)
            : Enlarge(rgba, width, crop, outWidth, outHeight);
    }

    /// <summary>The centred region of a <paramref name="width"/> × <paramref name="height"/> image with the aspect ratio of
    /// <paramref name="outWidth"/> : <paramref name="outHeight"/>, its cut side rounded to whole pixels.</summary>
    public static SKRectI CentreCrop(int width, int height, int outWidth, int outHeight)
    {
        long cropW = width, cropH = height;
        if ((long)width * outHeight > (long)height * outWidth) cropW = Math.Max(1, (long)Math.Round((double)height * outWidth / outHeight));
        else cropH = Math.Max(1, (long)Math.Round((double)width * outHeight / outWidth));
        return SKRectI.Create((int)(width - cropW) / 2, (int)(height - cropH) / 2, (int)cropW, (int)cropH);
    }

    private static byte[] Shrink(ReadOnlySpan<byte> rgba, int width, SKRectI crop, int outWidth, int outHeight)
    {
        var (xFrom, xWeights) = AreaWeights(crop.Width, outWidth);
        var (yFrom, yWeights) = AreaWeights(crop.Height, outHeight);

        // Columns first: every cropped row at the output width, R, G, B as floats.
        float[] rows = ArrayPool<float>.Shared.Rent(crop.Height * outWidth * 3);   // large: kept out of the large-object heap
        for (int y = 0; y < crop.Height; y++)
        {
            int rowStart = ((crop.Top + y) * width + crop.Left) * 4;
            for (int j = 0; j < outWidth; j++)
            {
                float r = 0, g = 0, b = 0;
                float[] w = xWeights[j];
                for (int k = 0, at = rowStart + xFrom[j] * 4; k < w.Length; k++, at += 4)
                {
                    r += w[k] * rgba[at];
                    g += w[k] * rgba[at + 1];
                    b += w[k] * rgba[at + 2];
                }
                int o = (y * outWidth + j) * 3;
                (rows[o], rows[o + 1], rows[o + 2]) = (r, g, b);
            }
        }

        // Then rows: each output pixel from the rows its area covers.
        var result = new byte[outWidth * outHeight * 4];
        for (int i = 0; i < outHeight; i++)
        {
            float[] w = yWeights[i];
            for (int j = 0; j < outWidth; j++)
            {
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < w.Length; k++)
                {
                    int o = ((yFrom[i] + k) * outWidth + j) * 3;
                    r += w[k] * rows[o];
                    g += w[k] * rows[o + 1];
                    b += w[k] * rows[o + 2];
                }
                int at = (i * outWidth + j) * 4;
                (result[at], result[at + 1], result[at + 2], result[at + 3]) = (ToByte(r), ToByte(g), ToByte(b), 255);
            }
        }
        ArrayPool<float>.Shared.Return(rows);
        return result;
    }

    /// <summary>
    /// For each of <paramref name="outSize"/> output pixels along an axis of <paramref name="inSize"/> source pixels: the
    /// first source pixel its area [j·s, (j + 1)·s) covers (s = in ÷ out) and each covered pixel's weight, its overlap ÷ s
    /// (the weights sum to 1).
    /// </summary>
    private static (int[] From, float[][] Weights) AreaWeights(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        var from = new int[outSize];
        var weights = new float[outSize][];
        for (int j = 0; j < outSize; j++)
        {
            double start = j * scale, end = Math.Min(inSize, (j + 1) * scale);
            int first = (int)Math.Floor(start), last = Math.Min(inSize, (int)Math.Ceiling(end - 1e-9));
            from[j] = first;
            weights[j] = new float[last - first];
            for (int i = first; i < last; i++)
                weights[j][i - first] = (float)((Math.Min(end, i + 1) - Math.Max(start, i)) / scale);
        }
        return (from, weights);
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)(v + 0.5f), 0, 255);

    private static byte[] Enlarge(ReadOnlySpan<byte> rgba, int width, SKRectI crop, int outWidth, int outHeight)
    {
        using var cropped = new SKBitmap(new SKImageInfo(crop.Width, crop.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Span<byte> pixels = cropped.GetPixelSpan();
        for (int y = 0; y < crop.Height; y++)
            rgba.Slice(((crop.Top + y) * width + crop.Left) * 4, crop.Width * 4).CopyTo(pixels.Slice(y * crop.Width * 4));
        for (int i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        using var resized = new SKBitmap(new SKImageInfo(outWidth, outHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
        if (!cropped.ScalePixels(resized, new SKSamplingOptions(SKCubicResampler.Mitchell)))
            throw new InvalidOperationException($"resampling a {crop.Width}×{crop.Height} image to {outWidth}×{outHeight} failed.");
        return resized.GetPixelSpan().ToArray();
    }
}
