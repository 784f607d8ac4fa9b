using System.Globalization;
using SkiaSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Onnx;

namespace Vae.Cli.Tests;

/// <summary>
/// The picture commands on data other than MNIST's idx files: a folder of RGB PNGs run end to end
/// (<c>train --arch conv --conditional</c> → <c>export</c> → <c>reconstruct</c>, <c>generate --per-class</c>), and a CSV
/// with a header and a label column read with the same options as <c>train</c>.
/// </summary>
public class OwnDataPictureTests
{
    // ImageGrid layout: 3× upscaled cells, 2-pixel separators, 29-pixel title band.
    private const int Gap = 2, Title = 29, Side = 32, Cell = Side * 3;

    private static readonly Lazy<(string Images, string Run, string Model)> Rgb = new(TrainAndExportRgb, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string folder = RepoPaths.NewTempFolder();

    private string Out(string name) => Path.Combine(folder, name);

    /// <summary>48 red discs and 48 blue squares on a grey ground, 32×32 RGB, in the sub-folders <c>disc</c> and <c>square</c>.</summary>
    private static string WriteRgbFolder()
    {
        string root = Path.Combine(RepoPaths.NewTempFolder(), "shapes");
        var random = new Random(3);
        foreach (string shape in new[] { "disc", "square" })
        {
            Directory.CreateDirectory(Path.Combine(root, shape));
            for (int i = 0; i < 48; i++)
            {
                using var bitmap = new SKBitmap(Side, Side, SKColorType.Rgba8888, SKAlphaType.Opaque);
                using (var canvas = new SKCanvas(bitmap))
                {
                    canvas.Clear(new SKColor(60, 60, 60));
                    using var paint = new SKPaint { Color = shape == "disc" ? new SKColor(220, 40, 30) : new SKColor(30, 60, 220) };
                    float cx = random.Next(10, 22), cy = random.Next(10, 22), r = random.Next(4, 9);
                    if (shape == "disc") canvas.DrawCircle(cx, cy, r, paint);
                    else canvas.DrawRect(cx - r, cy - r, 2 * r, 2 * r, paint);
                }
                using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(root, shape, $"{i:D2}.png"), png.ToArray());
            }
        }
        return root;
    }

    private static (string Images, string Run, string Model) TrainAndExportRgb()
    {
        string images = WriteRgbFolder(), root = RepoPaths.NewTempFolder();
        string run = Path.Combine(root, "run"), model = Path.Combine(root, "model");
        CliRun.Setup(
            ["train", "--data", images, "--out", run, "--arch", "conv", "--channels", "8,16", "--conditional", "--latent", "4", "--epochs", "2", "--batch-size", "32", "--seed", "1"],
            ["export", "--checkpoint", run, "--out", model]);
        return (images, run, model);
    }

    [Fact]
    public void Reconstruct_draws_png_folder_images_and_the_library_reconstructions_in_colour()
    {
        var (images, _, model) = Rgb.Value;
        string png = Out("rgb-reconstructions.png");
        const int count = 8, start = 45;   // across the class boundary: discs 45–47, squares 48–52
        var (width, height) = CliRun.Png(png, "reconstruct", "--model", model, "--data", images, "--out", png, "--count", $"{count}", "--start", $"{start}");
        Assert.Equal(Title + 2 * (Cell + Gap) + Gap, height);

        using var vae = VaeModel.Load(model);
        Assert.Equal([3, Side, Side], vae.Info.ImageShape);
        Dataset all = DataSource.LoadTest(images, new DataOptions());
        Dataset shown = all.Subset(Enumerable.Range(start, count).ToArray());
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 1], shown.Labels!);
        float[] reconstructions = vae.Reconstruct(shown.Features, shown.Labels);

        // Row labels sit left of the grid, so the grid ends at the right edge (it is wider than the title).
        int left = width - (count * (Cell + Gap) + Gap);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        foreach (var (row, values) in new[] { (0, shown.Features), (1, reconstructions) })
            for (int i = 0; i < count; i++)
                for (int y = 1; y < Side; y += 6)
                    for (int x = 1; x < Side; x += 6)
                    {
                        SKColor color = bitmap.GetPixel(left + Gap + i * (Cell + Gap) + 3 * x + 1, Title + Gap + row * (Cell + Gap) + 3 * y + 1);
                        int at = i * 3 * Side * Side + y * Side + x;
                        Assert.Equal(Byte(values[at]), color.Red);
                        Assert.Equal(Byte(values[at + Side * Side]), color.Green);
                        Assert.Equal(Byte(values[at + 2 * Side * Side]), color.Blue);
                    }
    }

    [Fact]
    public void Generate_per_class_draws_one_rgb_row_per_png_sub_folder()
    {
        var (_, _, model) = Rgb.Value;
        string png = Out("rgb-per-class.png");
        var (_, height) = CliRun.Png(png, "generate", "--model", model, "--out", png, "--per-class", "--grid", "5");
        Assert.Equal(Title + 2 * (Cell + Gap) + Gap, height);
    }

    [Fact]
    public void Reconstruct_reads_a_csv_with_header_and_label_column_like_the_mnist_folder()
    {
        Dataset mnist = Mnist.LoadTest(RepoPaths.RequireMnist()).Take(6);
        string csv = Out("digits.csv");
        var lines = new List<string> { "label," + string.Join(',', Enumerable.Range(0, 784).Select(i => $"p{i}")) };
        for (int n = 0; n < mnist.Count; n++)
            lines.Add(mnist.Labels![n] + "," + string.Join(',', mnist.Features.Skip(n * 784).Take(784).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllLines(csv, lines);

        string fromCsv = Out("from-csv.png"), fromMnist = Out("from-mnist.png");
        var size = CliRun.Png(fromCsv, "reconstruct", "--model", TestModel.Folder, "--data", csv, "--csv-header", "--label-column", "0", "--out", fromCsv, "--count", "6");
        Assert.Equal(size, CliRun.Png(fromMnist, "reconstruct", "--model", TestModel.Folder, "--data", RepoPaths.Mnist, "--out", fromMnist, "--count", "6"));

        using SKBitmap a = SKBitmap.Decode(fromCsv), b = SKBitmap.Decode(fromMnist);
        Assert.Equal(b.Bytes, a.Bytes);
    }

    [Fact]
    public void Test_images_of_another_shape_than_the_model_are_a_clear_error()
    {
        var (images, _, _) = Rgb.Value;
        Assert.Equal($"error: the samples of {images} have shape [3, 32, 32] (3072 values); the model expects [1, 28, 28] (784 values); read the images with --resize 28,28 --grayscale.",
                     CliRun.Failure("reconstruct", "--model", TestModel.Folder, "--data", images, "--out", Out("x.png")));
    }

    [Fact]
    public void Cluster_and_classify_refuse_a_conditional_model_whose_codes_would_carry_the_label()
    {
        var (images, _, model) = Rgb.Value;
        const string expected = "error: the model is conditional (2 classes): its encoder reads the label these figures are scored against, so its embeddings would carry the answer; use an unconditional model.";
        Assert.Equal(expected, CliRun.Failure("cluster", "--model", model, "--data", images, "--clusters", "2"));
        Assert.Equal(expected, CliRun.Failure("classify", "--model", model, "--data", images, "--test-data", images));
    }

    [Fact]
    public void Unlabelled_images_for_a_conditional_model_are_a_clear_error()
    {
        var (images, _, model) = Rgb.Value;
        string flat = Out("flat");
        Directory.CreateDirectory(flat);
        foreach (string png in Directory.GetFiles(Path.Combine(images, "disc")).Take(3)) File.Copy(png, Path.Combine(flat, Path.GetFileName(png)));
        Assert.Equal($"error: the model is conditional (2 classes) and {flat} has no labels; give labelled data (images in one sub-folder per class, a CSV with --label-column, an idx file with --labels).",
                     CliRun.Failure("reconstruct", "--model", model, "--data", flat, "--out", Out("x.png")));
    }

    [Fact]
    public void Export_verifies_with_the_png_folder_images_and_labels_given_as_data()
    {
        var (images, run, _) = Rgb.Value;
        string model = Out("verified-on-pngs");
        var (exit, output, error) = CliRun.Run("export", "--checkpoint", run, "--out", model, "--data", images);
        Assert.True(exit == 0, error);
        Assert.Contains("max |diff|", output);

        // reference.json keeps TorchSharp's outputs for the first verification inputs: the first PNGs, with their labels.
        var reference = ReferenceOutputs.Load(Path.Combine(model, ReferenceOutputs.FileName));
        Dataset pngs = DataSource.LoadTest(images, new DataOptions());
        Assert.Equal(pngs.Features[..(3 * Side * Side)], reference.X[0]);
        Assert.Equal([1f, 0f], reference.Y![0]);

        Assert.Equal($"error: the samples of {RepoPaths.RequireMnist()} have shape [1, 28, 28] (784 values); the model expects [3, 32, 32] (3072 values).",
                     CliRun.Failure("export", "--checkpoint", run, "--out", Out("not-written"), "--data", RepoPaths.RequireMnist()));
        Assert.False(Directory.Exists(Out("not-written")));
    }

    [Theory]
    [InlineData("reconstruct")]
    [InlineData("latent-map")]
    [InlineData("latent-map", "--kmeans", "3")]
    [InlineData("manifold")]
    [InlineData("interpolate", "--from", "2", "--to", "5")]
    [InlineData("traverse", "--index", "3")]
    [InlineData("anomalies", "--top", "4")]
    public void Picture_commands_draw_unlabelled_data(string command, params string[] options)
    {
        // A CSV of 20 MNIST test digits without a label column: nothing to colour or caption by label.
        Dataset digits = DataSource.LoadTest(RepoPaths.RequireMnist(), new DataOptions()).Take(20);
        string csv = Out("unlabelled.csv"), png = Out($"unlabelled-{command}.png");
        File.WriteAllLines(csv, digits.Features.Chunk(784).Select(row => string.Join(',', row.Select(v => Byte(v).ToString(CultureInfo.InvariantCulture)))));
        var (width, height) = CliRun.Png(png, [command, "--model", TestModel.Folder, "--data", csv, "--out", png, .. options]);
        Assert.True(width > 100 && height > 100, $"{command} drew {width}×{height}");
    }

    private static byte Byte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0, 255);
}
