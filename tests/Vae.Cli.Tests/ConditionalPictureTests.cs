using SkiaSharp;
using Vae.Inference;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>
/// <c>generate --per-class</c> and <c>--class</c> on a conditional model that <c>vae train --conditional</c> and
/// <c>vae export</c> made in this test run (784-32-4, one epoch on 1,000 MNIST images): the picture holds exactly the
/// library's samples for the requested labels, and an unknown label is a clear error.
/// </summary>
public class ConditionalPictureTests
{
    // ImageGrid layout, as in PictureCommandTests: 3× upscaled 28-pixel cells, 2-pixel separators, 29-pixel title band.
    private const int Gap = 2, Title = 29, Cell = 28 * 3;

    private readonly string folder = RepoPaths.NewTempFolder();

    [Fact]
    public void Per_class_draws_one_row_of_library_samples_per_label()
    {
        string model = TestModel.Conditional, png = Path.Combine(folder, "per-class.png");
        const int n = 8, seed = 4;
        var (width, height) = CliRun.Png(png, "generate", "--model", model, "--out", png, "--per-class", "--grid", $"{n}", "--seed", $"{seed}");

        using var vae = VaeModel.Load(model);
        Assert.Equal(10, vae.Info.Classes);
        Assert.Equal(Title + 10 * (Cell + Gap) + Gap, height);
        int[] labels = Enumerable.Range(0, 10).SelectMany(k => Enumerable.Repeat(k, n)).ToArray();
        float[] expected = vae.Generate(labels, seed, 1f);

        // Row labels sit left of the grid, so the grid ends at the right edge (it is wider than the title).
        int left = width - (n * (Cell + Gap) + Gap);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        for (int i = 0; i < labels.Length; i++)
        {
            int row = i / n, column = i % n;
            for (int y = 0; y < 28; y += 9)
            {
                for (int x = 0; x < 28; x += 9)
                {
                    SKColor color = bitmap.GetPixel(left + Gap + column * (Cell + Gap) + 3 * x + 1, Title + Gap + row * (Cell + Gap) + 3 * y + 1);
                    byte value = (byte)Math.Clamp(MathF.Round(expected[i * 784 + y * 28 + x] * 255f), 0, 255);
                    Assert.Equal(value, color.Red);
                }
            }
        }
    }

    [Fact]
    public void One_class_draws_a_square_grid_and_an_unknown_label_is_refused()
    {
        string model = TestModel.Conditional, png = Path.Combine(folder, "three.png");
        var (_, height) = CliRun.Png(png, "generate", "--model", model, "--out", png, "--class", "3", "--grid", "4");
        Assert.Equal(Title + 4 * (Cell + Gap) + Gap, height);

        string bad = Path.Combine(folder, "bad.png");
        // The whole line: the option is named once, without .NET's "(Parameter '--class')" suffix.
        Assert.Equal("error: --class is 12; expected a label from 0 to 9.", CliRun.Failure("generate", "--model", model, "--out", bad, "--class", "12"));
        Assert.Contains("--class and --per-class both given", CliRun.Failure("generate", "--model", model, "--out", bad, "--class", "3", "--per-class"));
        Assert.False(File.Exists(bad));
    }
}
