using SkiaSharp;
using Vae.Inference;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>
/// Every picture command on the committed reference model (<see cref="TestModel"/>: 784-256-8, unconditional) and MNIST's
/// test split: a decodable PNG of the expected size, and a clear error for bad arguments.
/// </summary>
public class PictureCommandTests
{
    // ImageGrid layout: cells of 28·scale pixels with 2-pixel separators, a 29-pixel title band,
    // a 20-pixel column-header band and 18 pixels per caption line.
    private const int Gap = 2, Title = 29, Header = 20, CaptionLine = 18;

    private static string Model => TestModel.Folder;
    private readonly string folder = RepoPaths.NewTempFolder();
    private readonly string data = RepoPaths.RequireMnist();

    private string Out(string name) => Path.Combine(folder, name);

    // Widths are checked from below only: row labels and titles add text whose width depends on the installed font.
    private static int Block(int cells, int scale) => cells * (28 * scale + Gap) + Gap;

    [Fact]
    public void Generate_draws_the_library_samples_pixel_for_pixel()
    {
        string png = Out("samples.png");
        Assert.Equal((Block(4, 3), Title + Block(4, 3)), CliRun.Png(png, "generate", "--model", Model, "--out", png, "--grid", "4", "--seed", "5", "--temperature", "0.8"));

        using var vae = VaeModel.Load(Model);
        float[] expected = vae.Generate(16, 5, 0.8f);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        for (int i = 0; i < 16; i++)
        {
            for (int y = 0; y < 28; y += 9)
            {
                for (int x = 0; x < 28; x += 9)
                {
                    // Pixel (x, y) of sample i covers a 3 × 3 block; its centre must carry the sample's value (nearest neighbour).
                    SKColor color = bitmap.GetPixel(Gap + i % 4 * (84 + Gap) + 3 * x + 1, Title + Gap + i / 4 * (84 + Gap) + 3 * y + 1);
                    byte value = (byte)Math.Clamp(MathF.Round(expected[i * 784 + y * 28 + x] * 255f), 0, 255);
                    Assert.Equal(value, color.Red);
                    Assert.Equal(value, color.Green);
                }
            }
        }
    }

    [Fact]
    public void Generate_rejects_a_zero_grid_and_per_class_output_of_an_unconditional_model()
    {
        Assert.Contains("--grid is 0; expected at least 1", CliRun.Failure("generate", "--model", Model, "--out", Out("g.png"), "--grid", "0"));
        Assert.Contains("--per-class needs a conditional model", CliRun.Failure("generate", "--model", Model, "--out", Out("g.png"), "--per-class"));
        Assert.Contains("--class needs a conditional model", CliRun.Failure("generate", "--model", Model, "--out", Out("g.png"), "--class", "3"));
        Assert.Contains("--temperature is 0; expected a finite value above 0", CliRun.Failure("generate", "--model", Model, "--out", Out("g.png"), "--temperature", "0"));
        Assert.False(File.Exists(Out("g.png")));
    }

    [Fact]
    public void Pictures_of_more_images_than_can_be_viewed_are_refused_with_the_option_named()
    {
        // manifold --grid 5000 died in an unhandled OverflowException (25 million decodings × 784 values)
        Assert.Contains("--grid is 5000; expected at most 200 images per side", CliRun.Failure("manifold", "--model", Model, "--data", data, "--out", Out("m.png"), "--grid", "5000"));
        Assert.Contains("--grid is 201; expected at most 200", CliRun.Failure("generate", "--model", Model, "--out", Out("g.png"), "--grid", "201"));
        Assert.Contains("--steps is 5000; expected at most 200", CliRun.Failure("interpolate", "--model", Model, "--data", data, "--out", Out("i.png"), "--steps", "5000"));
        Assert.Contains("--steps is 5000; expected at most 200", CliRun.Failure("traverse", "--model", Model, "--data", data, "--out", Out("t.png"), "--steps", "5000"));
        // one row of 1,000 test images and their reconstructions
        Assert.Contains("the picture of 2000 images would be 86,", CliRun.Failure("reconstruct", "--model", Model, "--data", data, "--out", Out("r.png"), "--count", "1000"));
        Assert.Empty(Directory.GetFiles(folder, "*.png"));
    }

    [Fact]
    public void Missing_model_folder_is_a_clear_error()
    {
        string error = CliRun.Failure("generate", "--model", Path.Combine(folder, "no-model"), "--out", Out("g.png"));
        Assert.Contains("encoder.onnx", error);
        Assert.Contains("not found", error);
    }

    [Fact]
    public void Reconstruct_draws_input_and_reconstruction_rows_or_noisy_denoised_clean()
    {
        var (width, height) = CliRun.Png(Out("r.png"), "reconstruct", "--model", Model, "--data", data, "--out", Out("r.png"), "--count", "5");
        Assert.Equal(Title + 2 * (84 + Gap) + Gap, height);
        Assert.True(width > Block(5, 3), $"width {width}: expected the grid of {Block(5, 3)} pixels plus a row-label column");

        (width, height) = CliRun.Png(Out("d.png"), "reconstruct", "--model", Model, "--data", data, "--out", Out("d.png"), "--count", "5", "--noise", "0.3", "--start", "20");
        Assert.Equal(Title + 3 * (84 + Gap) + Gap, height);
        Assert.True(width > Block(5, 3), $"width {width}: expected the grid of {Block(5, 3)} pixels plus a row-label column");
        Assert.Contains("--noise is -1", CliRun.Failure("reconstruct", "--model", Model, "--data", data, "--out", Out("x.png"), "--noise", "-1"));
        Assert.Contains("--start is 10000; expected a test image index from 0 to 9999", CliRun.Failure("reconstruct", "--model", Model, "--data", data, "--out", Out("x.png"), "--start", "10000"));

        // past the end: the images there are, and the status line says how many of those asked for
        var (exit, output, error) = CliRun.Run("reconstruct", "--model", Model, "--data", data, "--out", Out("e.png"), "--start", "9999", "--count", "2");
        Assert.True(exit == 0, error);
        Assert.Contains("test image 9999 above their reconstructions; only 1 of the 2 asked for: the data ends at image 9999)", output);
    }

    [Fact]
    public void Latent_map_plots_pca_of_the_codes_with_labels_or_kmeans_clusters()
    {
        Assert.Equal((1000, 800), CliRun.Png(Out("m.png"), "latent-map", "--model", Model, "--data", data, "--out", Out("m.png"), "--count", "600"));
        Assert.Equal((1000, 800), CliRun.Png(Out("k.png"), "latent-map", "--model", Model, "--data", data, "--out", Out("k.png"), "--count", "600", "--kmeans", "5"));
        Assert.Equal((1000, 800), CliRun.Png(Out("d.png"), "latent-map", "--model", Model, "--data", data, "--out", Out("d.png"), "--count", "600", "--dims", "2,5"));
        Assert.Contains("--dims is '2,8'; expected two different latent dimensions from 0 to 7",
            CliRun.Failure("latent-map", "--model", Model, "--data", data, "--out", Out("x.png"), "--dims", "2,8"));
        Assert.Contains("--kmeans is 700; expected at most 600",
            CliRun.Failure("latent-map", "--model", Model, "--data", data, "--out", Out("x.png"), "--count", "600", "--kmeans", "700"));
    }

    [Fact]
    public void Missing_test_data_is_a_clear_error()
    {
        string missing = Path.Combine(folder, "no-data");
        Assert.Equal($"error: data not found: {missing}; expected an MNIST folder, a folder of images, a .csv file or an idx file. Run 'make data' for MNIST.",
                     CliRun.Failure("latent-map", "--model", Model, "--data", missing, "--out", Out("x.png")));
    }

    [Fact]
    public void Manifold_decodes_a_pixel_exact_mosaic_on_a_plane()
    {
        // 5 × 5 cells of 28 pixels = 140, upscaled round(900 / 140) = 6 times, inside fixed chart padding (80 + 30, 52 + 64).
        Assert.Equal((840 + 110, 840 + 116), CliRun.Png(Out("pca.png"), "manifold", "--model", Model, "--data", data, "--out", Out("pca.png"), "--grid", "5"));
        Assert.Equal((840 + 110, 840 + 116), CliRun.Png(Out("dims.png"), "manifold", "--model", Model, "--out", Out("dims.png"), "--grid", "5", "--dims", "3,4", "--data", "unused"));
        Assert.Contains("--grid is 0; expected at least 1", CliRun.Failure("manifold", "--model", Model, "--out", Out("x.png"), "--grid", "0"));
        Assert.Contains("--class needs a conditional model", CliRun.Failure("manifold", "--model", Model, "--out", Out("x.png"), "--class", "1"));
    }

    [Fact]
    public void Traverse_draws_one_row_per_chosen_dimension()
    {
        var (width, height) = CliRun.Png(Out("t.png"), "traverse", "--model", Model, "--data", data, "--out", Out("t.png"), "--steps", "5", "--dims", "0,2,7", "--index", "3");
        Assert.Equal(Title + Header + 3 * (56 + Gap) + Gap, height);
        Assert.True(width > Block(5, 2), $"width {width}: expected the grid of {Block(5, 2)} pixels plus a row-label column");
        Assert.Contains("--dims is '0,9'", CliRun.Failure("traverse", "--model", Model, "--data", data, "--out", Out("x.png"), "--dims", "0,9"));
        Assert.Contains("--steps is 1; expected at least 2", CliRun.Failure("traverse", "--model", Model, "--data", data, "--out", Out("x.png"), "--steps", "1"));
    }

    [Fact]
    public void Interpolate_draws_linear_and_spherical_rows_between_the_two_inputs()
    {
        var (width, height) = CliRun.Png(Out("i.png"), "interpolate", "--model", Model, "--data", data, "--out", Out("i.png"), "--from", "3", "--to", "7", "--steps", "4");
        Assert.Equal(Title + Header + 2 * (84 + Gap) + Gap, height);
        Assert.True(width > Block(6, 3), $"width {width}: expected the grid of {Block(6, 3)} pixels plus a row-label column");
        Assert.Contains("--to is -1; expected a test image index from 0 to 9999", CliRun.Failure("interpolate", "--model", Model, "--data", data, "--out", Out("x.png"), "--to", "-1"));
    }

    [Fact]
    public void Anomalies_shows_the_top_k_with_two_caption_lines_each()
    {
        var (width, height) = CliRun.Png(Out("a.png"), "anomalies", "--model", Model, "--data", data, "--out", Out("a.png"), "--count", "300", "--top", "6", "--columns", "3", "--samples", "2");
        Assert.Equal(Title + 2 * (84 + Gap + 2 * CaptionLine) + Gap, height);
        Assert.True(width >= Block(3, 3), $"width {width}: expected at least the grid of {Block(3, 3)} pixels (the title may be wider)");
        Assert.Contains("--score is 'loud'; expected one of nll, neg-elbo", CliRun.Failure("anomalies", "--model", Model, "--data", data, "--out", Out("x.png"), "--score", "loud"));
        Assert.Contains("--top is 0; expected at least 1", CliRun.Failure("anomalies", "--model", Model, "--data", data, "--out", Out("x.png"), "--top", "0"));
    }

    [Fact]
    public void Reconstruct_and_interpolate_decode_only_the_images_they_show()
    {
        // Ten 28 × 28 images, the last one broken: drawing the first ones never reaches it; asking for it names it.
        string images = RepoPaths.NewTempFolder();
        for (int i = 0; i < 9; i++)
        {
            using var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
            bitmap.Erase(new SKColor((byte)(20 * i), (byte)(20 * i), (byte)(20 * i)));
            using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(images, $"{i:D2}.png"), png.ToArray());
        }
        File.WriteAllText(Path.Combine(images, "09.png"), "not an image");

        CliRun.Png(Out("r.png"), "reconstruct", "--model", TestModel.Folder, "--data", images, "--count", "8", "--start", "1", "--out", Out("r.png"));
        CliRun.Png(Out("i.png"), "interpolate", "--model", TestModel.Folder, "--data", images, "--from", "8", "--to", "0", "--out", Out("i.png"));
        Assert.Contains("09.png: not a decodable image",
            CliRun.Failure("reconstruct", "--model", TestModel.Folder, "--data", images, "--count", "1", "--start", "9", "--out", Out("x.png")));
        Assert.Contains("09.png: not a decodable image",
            CliRun.Failure("interpolate", "--model", TestModel.Folder, "--data", images, "--from", "-1", "--to", "0", "--out", Out("x.png")));
    }

    [Fact]
    public void A_one_dimensional_latent_has_no_plane_to_draw()
    {
        string root = RepoPaths.NewTempFolder(), run = Path.Combine(root, "run"), oneD = Path.Combine(root, "model");
        CliRun.Setup(["train", "--data", data, "--out", run, "--hidden", "8", "--latent", "1", "--epochs", "1", "--limit", "200"],
                     ["export", "--checkpoint", run, "--out", oneD, "--data", data]);
        // latent-map drew z[0] against z[0] (a diagonal); manifold already refused
        Assert.Contains("the model's latent has 1 dimension; a map of two dimensions needs at least 2",
                        CliRun.Failure("latent-map", "--model", oneD, "--data", data, "--out", Out("map.png"), "--count", "100"));
        Assert.Contains("the model's latent has 1 dimension; a plane needs at least 2",
                        CliRun.Failure("manifold", "--model", oneD, "--data", data, "--out", Out("plane.png")));
        Assert.False(File.Exists(Out("map.png")));
    }
}
