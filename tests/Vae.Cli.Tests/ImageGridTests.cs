using SkiaSharp;
using Vae.Cli.Pictures;
using Vae.Tests;

namespace Vae.Cli.Tests;

public class ImageGridTests
{
    private readonly string folder = RepoPaths.NewTempFolder();

    [Fact]
    public void Rgb_images_keep_their_colours_and_are_upscaled_by_nearest_neighbour()
    {
        // One 2 × 2 RGB image, planes R, G, B: red, green / blue, white.
        float[] image = [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1];
        var grid = new ImageGrid([3, 2, 2], 1) { Scale = 4, Gap = 1 };
        grid.Add(image);
        string png = Path.Combine(folder, "rgb.png");
        Assert.Equal((2 * 4 + 2, 2 * 4 + 2), grid.Save(png));

        using SKBitmap bitmap = SKBitmap.Decode(png);
        SKColor[] expected = [SKColors.Red, new SKColor(0, 255, 0), SKColors.Blue, SKColors.White];
        for (int p = 0; p < 4; p++)
        {
            // Every screen pixel of the 4 × 4 block of image pixel p has exactly its colour (no blending at the edges).
            for (int dy = 0; dy < 4; dy++)
                for (int dx = 0; dx < 4; dx++)
                    Assert.Equal(expected[p], bitmap.GetPixel(1 + p % 2 * 4 + dx, 1 + p / 2 * 4 + dy));
        }
    }

    [Fact]
    public void Grey_values_are_clamped_to_the_unit_interval()
    {
        var grid = new ImageGrid([1, 1, 3], 1) { Scale = 1, Gap = 0 };
        grid.Add([-0.5f, 0.5f, 2f]);
        using SKBitmap bitmap = grid.Render();
        Assert.Equal(new SKColor(0, 0, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(1, 0));
        Assert.Equal(new SKColor(255, 255, 255), bitmap.GetPixel(2, 0));
    }

    [Fact]
    public void Rejects_images_of_the_wrong_size_and_unsupported_shapes()
    {
        var grid = new ImageGrid([1, 28, 28], 4);
        Assert.Contains("expected 784", Assert.Throws<ArgumentException>(() => grid.Add(new float[783])).Message);
        Assert.Contains("the samples have shape [2, 28, 28], which is not an image: pictures need [1, H, W] or [3, H, W]", Assert.Throws<ArgumentException>(() => new ImageGrid([2, 28, 28], 4)).Message);
        Assert.Contains("Train on CSV rows with --shape C,H,W", Assert.Throws<ArgumentException>(() => new ImageGrid([783], 4)).Message);
        Assert.Contains("expected at least 1", Assert.Throws<ArgumentException>(() => new ImageGrid([1, 28, 28], 0)).Message);
    }

    [Fact]
    public void A_flat_sample_of_a_square_size_is_drawn_as_a_grayscale_square()
    {
        float[] flat = Enumerable.Range(0, 784).Select(i => i % 28 / 27f).ToArray();
        var square = new ImageGrid([1, 28, 28], 1);
        var row = new ImageGrid([784], 1);
        square.Add(flat);
        row.Add(flat);
        using SKBitmap a = square.Render(), b = row.Render();
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        Assert.Equal(a.Pixels, b.Pixels);
    }

    [Fact]
    public void A_grid_too_big_to_view_is_refused_before_it_is_drawn()
    {
        var wide = new ImageGrid([1, 28, 28], 400);   // 400 × (84 + 2) + 2 = 34,402 pixels wide
        for (int i = 0; i < 400; i++) wide.Add(new float[784]);
        var e = Assert.Throws<ArgumentException>(() => wide.Render());
        Assert.Contains("the picture of 400 images would be 34,402×", e.Message);
        Assert.Contains("expected at most 32,767 per side", e.Message);

        var fits = new ImageGrid([1, 28, 28], 380);   // 32,682 pixels: drawn
        for (int i = 0; i < 380; i++) fits.Add(new float[784]);
        using SKBitmap bitmap = fits.Render();
        Assert.Equal(32_682, bitmap.Width);
    }
}
