using ScottPlot;
using SkiaSharp;

namespace Vae.Cli.Pictures;

/// <summary>Shared look of the ScottPlot charts (font sizes, colours) and PNG output of one or several plots.</summary>
internal static class ChartStyle
{
    /// <summary>Categorical colours: Category10 for up to ten groups, Category20 beyond.</summary>
    public static Color GroupColor(int group, int groups) =>
        groups <= 10 ? new ScottPlot.Palettes.Category10().GetColor(group) : new ScottPlot.Palettes.Category20().GetColor(group);

    /// <summary>Formats a fraction as a percentage with one decimal ("12.3%").</summary>
    public static string Percent(double fraction) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{fraction * 100:F1}%");

    /// <summary>Applies the font and readable sizes to titles, axis labels and ticks.</summary>
    public static void Apply(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Font.Set(Typefaces.Family);
        plot.Title(title, 16);
        plot.XLabel(xLabel, 14);
        plot.YLabel(yLabel, 14);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Legend.FontSize = 12;
    }

    /// <summary>Renders one plot to <paramref name="path"/> as a PNG of the given size.</summary>
    public static (int Width, int Height) Save(string path, Plot plot, int width, int height) =>
        Save(path, [plot], columns: 1, width, height, heading: null);

    /// <summary>
    /// Renders <paramref name="plots"/> as panels of <paramref name="panelWidth"/> × <paramref name="panelHeight"/> pixels,
    /// <paramref name="columns"/> per row, under an optional heading, to one PNG.
    /// </summary>
    /// <exception cref="ArgumentException">The picture would be wider or taller than <see cref="ImageGrid.MostPixelsPerSide"/>
    /// (checked before anything is drawn: a CSV of 785 columns given to 'vae curves' drew a 149,374-pixel-tall PNG).</exception>
    public static (int Width, int Height) Save(string path, IReadOnlyList<Plot> plots, int columns, int panelWidth, int panelHeight, string? heading)
    {
        PngFile.CheckPath(path);
        int rows = (plots.Count + columns - 1) / columns;
        int headingHeight = heading is null ? 0 : 34;
        long width = (long)columns * panelWidth, height = headingHeight + (long)rows * panelHeight;
        if (Math.Max(width, height) > ImageGrid.MostPixelsPerSide)
            throw new ArgumentException($"the chart of {plots.Count:N0} panels would be {width:N0}×{height:N0} pixels; expected at most " +
                                        $"{ImageGrid.MostPixelsPerSide:N0} per side (what image viewers and browsers open). Plot fewer quantities.");
        using var bitmap = new SKBitmap((int)width, (int)height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            if (heading is not null)
            {
                using var font = new SKFont(Typefaces.Bold, 17);
                using var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = true };
                canvas.DrawText(heading, width / 2f, 24, SKTextAlign.Center, font, ink);
            }
            for (int i = 0; i < plots.Count; i++)
            {
                // Each plot renders into its own bitmap: ScottPlot clears the whole canvas it is given.
                using var panel = new SKBitmap(panelWidth, panelHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
                using (var panelCanvas = new SKCanvas(panel)) plots[i].Render(panelCanvas, panelWidth, panelHeight);
                canvas.DrawBitmap(panel, i % columns * panelWidth, headingHeight + i / columns * panelHeight);
            }
        }
        return PngFile.Save(path, bitmap);
    }
}
