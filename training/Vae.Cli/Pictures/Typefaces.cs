using SkiaSharp;

namespace Vae.Cli.Pictures;

/// <summary>
/// The sans-serif font used by every picture, for text drawn with SkiaSharp and by ScottPlot alike: the first installed
/// of a few common families (Skia's own default on Linux is often a serif face), else ScottPlot's default.
/// </summary>
internal static class Typefaces
{
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Open Sans", "Arial", "Helvetica", "Segoe UI"];
    private static readonly Lazy<string> family = new(() =>
    {
        var installed = SKFontManager.Default.GetFontFamilies().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Preferred.FirstOrDefault(installed.Contains) ?? ScottPlot.Fonts.Default;
    });
    private static readonly Lazy<SKTypeface> regular = new(() => ScottPlot.Fonts.GetTypeface(Family, bold: false, italic: false));
    private static readonly Lazy<SKTypeface> bold = new(() => ScottPlot.Fonts.GetTypeface(Family, bold: true, italic: false));

    /// <summary>Name of the font family in use.</summary>
    public static string Family => family.Value;

    /// <summary>The regular face (shared; do not dispose).</summary>
    public static SKTypeface Regular => regular.Value;

    /// <summary>The bold face (shared; do not dispose).</summary>
    public static SKTypeface Bold => bold.Value;
}
