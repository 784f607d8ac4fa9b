using SkiaSharp;

namespace Vae.Cli.Pictures;

/// <summary>
/// Lays out images (values in [0, 1], shape [C, H, W] with C = 1 grey or 3 RGB) in a grid, upscaled with
/// nearest neighbour and separated by thin lines, with an optional title, column headers, row labels and
/// a caption under each image; renders with SkiaSharp and saves as PNG.
/// </summary>
internal sealed class ImageGrid
{
    private const float TextSize = 13f, TitleSize = 15f;
    private static readonly SKColor Background = SKColors.White, Separator = new(175, 175, 175), Ink = new(30, 30, 30);
    private readonly List<(float[] Image, string? Caption)> cells = [];
    private readonly int channels, height, width;

    /// <summary>
    /// A grid of images of shape <paramref name="imageShape"/> ([1, H, W] or [3, H, W]; a flat [N] with N a square number,
    /// as a model trained on CSV rows has, is drawn as a grayscale √N × √N square), <paramref name="columns"/> per row.
    /// </summary>
    public ImageGrid(int[] imageShape, int columns)
    {
        ArgumentNullException.ThrowIfNull(imageShape);
        if (columns <= 0) throw new ArgumentException($"{nameof(columns)} is {columns}; expected at least 1.", nameof(columns));
        (channels, height, width) = PictureShape(imageShape);
        Columns = columns;
    }

    private static (int Channels, int Height, int Width) PictureShape(int[] shape)
    {
        if (shape is [1 or 3, > 0, > 0]) return (shape[0], shape[1], shape[2]);
        if (shape is [> 0] && (int)Math.Round(Math.Sqrt(shape[0])) is int side && side * side == shape[0]) return (1, side, side);
        throw new ArgumentException($"the samples have shape [{string.Join(", ", shape)}], which is not an image: pictures need [1, H, W] or [3, H, W] " +
                                    "(or [N] with N a square number, drawn as a grayscale square). Train on CSV rows with --shape C,H,W to give them an image shape.", "imageShape");
    }

    /// <summary>Largest width or height <see cref="Render"/> draws: the limit of common image viewers and browsers.</summary>
    public const int MostPixelsPerSide = 32_767;

    /// <summary>Images per row.</summary>
    public int Columns { get; }

    /// <summary>Screen pixels per image pixel (nearest neighbour).</summary>
    public int Scale { get; init; } = 3;

    /// <summary>Width of the separator lines in screen pixels.</summary>
    public int Gap { get; init; } = 2;

    /// <summary>Text above the grid, or null.</summary>
    public string? Title { get; init; }

    /// <summary>One header per column drawn above the grid, or null.</summary>
    public IReadOnlyList<string>? ColumnHeaders { get; init; }

    /// <summary>One label per row drawn left of the grid, or null.</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>Values per image (C × H × W).</summary>
    public int ImageSize => channels * height * width;

    /// <summary>Number of images added so far.</summary>
    public int Count => cells.Count;

    /// <summary>Adds one image (copied) with an optional caption drawn under it (lines separated by '\n').</summary>
    public void Add(ReadOnlySpan<float> image, string? caption = null)
    {
        if (image.Length != ImageSize)
            throw new ArgumentException($"image {cells.Count} has {image.Length} values; expected {ImageSize} ([{channels}, {height}, {width}]).", nameof(image));
        cells.Add((image.ToArray(), caption));
    }

    /// <summary>Adds every image of a batch of B × <see cref="ImageSize"/> values.</summary>
    public void AddBatch(ReadOnlySpan<float> batch)
    {
        if (batch.Length % ImageSize != 0)
            throw new ArgumentException($"batch has {batch.Length} values; expected a multiple of {ImageSize}.", nameof(batch));
        for (int i = 0; i < batch.Length; i += ImageSize) Add(batch.Slice(i, ImageSize));
    }

    /// <summary>Draws the grid. The caller owns and must dispose the bitmap.</summary>
    /// <exception cref="ArgumentException">No images, labels or headers that do not fit, or a picture wider or taller
    /// than <see cref="MostPixelsPerSide"/> (checked before anything is allocated).</exception>
    public SKBitmap Render()
    {
        if (cells.Count == 0) throw new ArgumentException("no images to draw.");
        int rows = (cells.Count + Columns - 1) / Columns;
        if (RowLabels is not null && RowLabels.Count != rows)
            throw new ArgumentException($"{RowLabels.Count} row labels for {rows} rows.", nameof(RowLabels));
        if (ColumnHeaders is not null && ColumnHeaders.Count != Columns)
            throw new ArgumentException($"{ColumnHeaders.Count} column headers for {Columns} columns.", nameof(ColumnHeaders));

        using var font = new SKFont(Typefaces.Regular, TextSize);
        using var titleFont = new SKFont(Typefaces.Bold, TitleSize);
        int cellW = width * Scale, cellH = height * Scale;
        int lineH = (int)MathF.Ceiling(TextSize * 1.35f);
        int captionLines = cells.Max(c => c.Caption?.Split('\n').Length ?? 0);
        int captionH = captionLines * lineH;
        int labelW = RowLabels is null ? 0 : (int)MathF.Ceiling(RowLabels.Max(l => font.MeasureText(l))) + 10;
        int headerH = ColumnHeaders is null ? 0 : lineH + 2;
        int gridW = labelW + Columns * cellW + (Columns + 1) * Gap;
        int titleW = Title is null ? 0 : (int)MathF.Ceiling(titleFont.MeasureText(Title)) + 40;
        int totalW = Math.Max(gridW, titleW);
        int left = (totalW - gridW) / 2 + labelW;
        int titleH = Title is null ? 0 : (int)MathF.Ceiling(TitleSize * 1.9f);
        int top = titleH + headerH;
        int rowH = cellH + Gap + captionH;
        int totalH = top + rows * rowH + Gap;

        if (Math.Max((long)totalW, totalH) > MostPixelsPerSide)
            throw new ArgumentException($"the picture of {cells.Count} images would be {totalW:N0}×{totalH:N0} pixels; expected at most {MostPixelsPerSide:N0} per side " +
                                        "(what image viewers and browsers open). Draw fewer images, or write them as CSV with 'vae decode'/'vae encode'.");
        var bitmap = new SKBitmap(totalW, totalH, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(Background);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        using var separator = new SKPaint { Color = Separator };
        if (Title is not null) canvas.DrawText(Title, totalW / 2f, TitleSize * 1.35f, SKTextAlign.Center, titleFont, ink);
        for (int c = 0; c < Columns && ColumnHeaders is not null; c++)
            canvas.DrawText(ColumnHeaders[c], left + Gap + c * (cellW + Gap) + cellW / 2f, titleH + TextSize, SKTextAlign.Center, font, ink);

        for (int r = 0; r < rows; r++)
        {
            int y = top + r * rowH;
            int inRow = Math.Min(Columns, cells.Count - r * Columns);
            canvas.DrawRect(left, y, inRow * (cellW + Gap) + Gap, cellH + 2 * Gap, separator);
            if (RowLabels is not null)
                canvas.DrawText(RowLabels[r], left - 6, y + Gap + cellH / 2f + TextSize * 0.35f, SKTextAlign.Right, font, ink);
        }
        for (int n = 0; n < cells.Count; n++)
        {
            int x = left + Gap + (n % Columns) * (cellW + Gap);
            int y = top + (n / Columns) * rowH + Gap;
            using SKImage image = ToImage(cells[n].Image);
            canvas.DrawImage(image, new SKRect(x, y, x + cellW, y + cellH), new SKSamplingOptions(SKFilterMode.Nearest));
            string[] lines = cells[n].Caption?.Split('\n') ?? [];
            for (int l = 0; l < lines.Length; l++)
                canvas.DrawText(lines[l], x + cellW / 2f, y + cellH + Gap + TextSize + l * lineH, SKTextAlign.Center, font, ink);
        }
        return bitmap;
    }

    /// <summary>Renders the grid and writes it to <paramref name="path"/> as PNG.</summary>
    /// <returns>The picture's width and height in pixels.</returns>
    public (int Width, int Height) Save(string path)
    {
        using SKBitmap bitmap = Render();
        return PngFile.Save(path, bitmap);
    }

    /// <summary>Writes <paramref name="images"/> row by row, <paramref name="columns"/> per row, to <paramref name="path"/>.</summary>
    /// <returns>The picture's width and height in pixels.</returns>
    public static (int Width, int Height) Save(string path, IReadOnlyList<float[]> images, int[] imageShape, int columns)
    {
        var grid = new ImageGrid(imageShape, columns);
        foreach (float[] image in images) grid.Add(image);
        return grid.Save(path);
    }

    private SKImage ToImage(float[] values)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        int plane = height * width;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                bitmap.SetPixel(x, y, channels == 1
                    ? new SKColor(Byte(values[i]), Byte(values[i]), Byte(values[i]))
                    : new SKColor(Byte(values[i]), Byte(values[plane + i]), Byte(values[2 * plane + i])));
            }
        }
        return SKImage.FromBitmap(bitmap);
    }

    private static byte Byte(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);
}
