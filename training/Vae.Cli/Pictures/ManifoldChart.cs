using ScottPlot;
using SkiaSharp;

namespace Vae.Cli.Pictures;

/// <summary>
/// A mosaic of decoded images placed on the 2-D latent plane it was decoded from, with the plane's coordinates on the
/// axes. The mosaic is drawn pixel-exact (integer upscaling, nearest neighbour).
/// </summary>
internal static class ManifoldChart
{
    private static readonly PixelPadding Padding = new(left: 80, right: 30, bottom: 64, top: 52);

    /// <summary>
    /// Draws <paramref name="mosaic"/> over the square [−range − step/2, range + step/2]², step = 2·range/(n − 1), where
    /// the mosaic holds n × n cells whose centres are the decoded grid points; upscales it <paramref name="scale"/> times.
    /// </summary>
    public static (int Width, int Height) Save(string path, SKBitmap mosaic, int n, double range, int scale, string title, string xLabel, string yLabel)
    {
        double half = n > 1 ? range / (n - 1) : range;
        var plot = new Plot();
        ChartStyle.Apply(plot, title, xLabel, yLabel);
        using var image = new ScottPlot.Image(mosaic);
        var rect = new CoordinateRect(-range - half, range + half, -range - half, range + half);
        var picture = plot.Add.ImageRect(image, rect);
        picture.AntiAlias = false;
        plot.Axes.SetLimits(rect);
        plot.Layout.Fixed(Padding);
        plot.Grid.IsVisible = false;
        double interval = NiceStep(2 * range / 8);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(interval);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(interval);
        int width = mosaic.Width * scale + (int)(Padding.Left + Padding.Right);
        int height = mosaic.Height * scale + (int)(Padding.Top + Padding.Bottom);
        return ChartStyle.Save(path, plot, width, height);
    }

    /// <summary>The 1, 2 or 5 × 10^k step nearest below <paramref name="rough"/> (at least the smallest such step).</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double mantissa = rough / power;
        return power * (mantissa >= 5 ? 5 : mantissa >= 2 ? 2 : 1);
    }
}
