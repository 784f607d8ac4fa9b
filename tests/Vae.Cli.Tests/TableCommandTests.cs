using System.Globalization;
using SkiaSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Cli.Tests;

/// <summary>
/// <c>vae encode</c>, <c>vae score</c> and <c>vae decode</c>: every CSV value equals what the library computes for the
/// same samples (floats are written as shortest round-trip text, so equality is exact), the files round-trip
/// (encode → decode equals the library's reconstruction), and bad input is one clear error line.
/// </summary>
public class TableCommandTests
{
    private readonly string folder = RepoPaths.NewTempFolder();

    private string Out(string name) => Path.Combine(folder, name);

    private static string Mnist => RepoPaths.RequireMnist();

    private static Dataset MnistTest(int count) => DataSource.LoadTest(RepoPaths.RequireMnist(), new DataOptions()).Take(count);

    /// <summary>Runs a command that must succeed and write <paramref name="csv"/>; returns its header and rows.</summary>
    private static (string[] Header, float[][] Rows) RunCsv(string csv, params string[] args)
    {
        var (exit, output, error) = CliRun.Run(args);
        Assert.True(exit == 0, $"vae {string.Join(' ', args)} exited with {exit}: {error}");
        Assert.Contains($"wrote {csv}", output);
        return ReadCsv(File.ReadAllText(csv));
    }

    private static (string[] Header, float[][] Rows) ReadCsv(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (lines[0].Split(','), lines[1..].Select(l => l.Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray()).ToArray());
    }

    private static string[] Names(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}_{i}").ToArray();

    [Fact]
    public void Encode_writes_index_label_and_the_library_posterior_means()
    {
        const int n = 50;
        string csv = Out("codes.csv");
        var (header, rows) = RunCsv(csv, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--out", csv);

        using var vae = VaeModel.Load(TestModel.Folder);
        Dataset test = MnistTest(n);
        var (mean, _) = vae.Encode(test.Features);
        Assert.Equal(["index", "label", .. Names("mean", 8)], header);
        Assert.Equal(n, rows.Length);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(i, rows[i][0]);
            Assert.Equal(test.Labels![i], rows[i][1]);
            Assert.Equal(mean.AsSpan(i * 8, 8).ToArray(), rows[i][2..]);
        }
    }

    [Fact]
    public void Encode_reads_photos_of_another_size_and_colour_at_the_model_shape_with_resize_and_grayscale()
    {
        string images = RepoPaths.NewTempFolder();
        var random = new Random(4);
        for (int i = 0; i < 3; i++)
        {
            using var bitmap = new SKBitmap(40, 32, SKColorType.Rgba8888, SKAlphaType.Opaque);
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 40; x++) bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            using SKData jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(images, $"{i}.jpg"), jpeg.ToArray());
        }
        string csv = Out("photos.csv");
        Assert.Contains("have shape [3, 32, 40] (3840 values); the model expects [1, 28, 28] (784 values); read the images with --resize 28,28 --grayscale",
            CliRun.Failure("encode", "--model", TestModel.Folder, "--data", images, "--out", csv));

        var (exit, _, error) = CliRun.Run("encode", "--model", TestModel.Folder, "--data", images, "--resize", "28", "--grayscale", "--out", csv);
        Assert.True(exit == 0, error);
        Dataset data = DataSource.Load(images, new DataOptions { ImageSize = [28, 28], Grayscale = true });
        Assert.Equal([1, 28, 28], data.SampleShape);
        using var vae = VaeModel.Load(TestModel.Folder);
        var (mean, _) = vae.Encode(data.Features);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(string.Join(',', ["index", "file", .. Names("mean", 8)]), lines[0]);
        Assert.Equal(4, lines.Length);
        for (int i = 0; i < 3; i++)
        {
            string[] cells = lines[1 + i].Split(',');
            Assert.Equal([$"{i}", $"{i}.jpg"], cells[..2]);
            Assert.Equal(mean.AsSpan(i * 8, 8).ToArray(), cells[2..].Select(c => float.Parse(c, CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Encode_mean_logvar_writes_the_library_means_then_log_variances()
    {
        const int n = 20;
        string csv = Out("mean-logvar.csv");
        var (header, rows) = RunCsv(csv, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--kind", "mean-logvar", "--out", csv);

        using var vae = VaeModel.Load(TestModel.Folder);
        var (mean, logvar) = vae.Encode(MnistTest(n).Features);
        Assert.Equal(["index", "label", .. Names("mean", 8), .. Names("logvar", 8)], header);
        for (int i = 0; i < n; i++)
            Assert.Equal([.. mean.AsSpan(i * 8, 8), .. logvar.AsSpan(i * 8, 8)], rows[i][2..]);
    }

    [Fact]
    public void Encode_sample_is_the_reparameterisation_of_the_library_posterior_with_seeded_noise()
    {
        const int n = 40, seed = 9;
        string csv = Out("z.csv"), again = Out("z-again.csv"), other = Out("z-other.csv");
        var (header, rows) = RunCsv(csv, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--kind", "sample", "--seed", $"{seed}", "--out", csv);
        RunCsv(again, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--kind", "sample", "--seed", $"{seed}", "--out", again);
        var (_, otherRows) = RunCsv(other, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--kind", "sample", "--seed", $"{seed + 1}", "--out", other);

        using var vae = VaeModel.Load(TestModel.Folder);
        var (mean, logvar) = vae.Encode(MnistTest(n).Features);
        var eps = new float[mean.Length];
        VaeModel.SampleLatent(eps, seed);
        Assert.Equal(["index", "label", .. Names("z", 8)], header);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 8; j++)
                Assert.Equal(mean[i * 8 + j] + MathF.Exp(0.5f * logvar[i * 8 + j]) * eps[i * 8 + j], rows[i][2 + j]);
        Assert.Equal(File.ReadAllBytes(csv), File.ReadAllBytes(again));
        Assert.NotEqual(rows[0][2..], otherRows[0][2..]);
    }

    [Fact]
    public void Encode_reads_a_csv_like_train_and_gives_the_same_codes_as_the_mnist_folder()
    {
        const int n = 12;
        Dataset test = MnistTest(n);
        string data = Out("digits.csv");
        File.WriteAllLines(data, ["label," + string.Join(',', Names("p", 784))]);
        File.AppendAllLines(data, Enumerable.Range(0, n).Select(i =>
            $"{test.Labels![i]}," + string.Join(',', test.Features.AsSpan(i * 784, 784).ToArray().Select(v => MathF.Round(v * 255).ToString(CultureInfo.InvariantCulture)))));
        string fromCsv = Out("from-csv.csv"), fromMnist = Out("from-mnist.csv");
        RunCsv(fromCsv, "encode", "--model", TestModel.Folder, "--data", data, "--csv-header", "--label-column", "0", "--out", fromCsv);
        RunCsv(fromMnist, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--out", fromMnist);
        Assert.Equal(File.ReadAllText(fromMnist), File.ReadAllText(fromCsv));
    }

    [Fact]
    public void Encode_of_a_png_folder_names_each_row_by_its_file_and_decode_reads_the_file_back()
    {
        // Six MNIST test digits as 28×28 grayscale PNGs in two class folders; one file name holds a comma and a quote.
        Dataset digits = MnistTest(6);
        string images = Path.Combine(folder, "pngs");
        string[] names = ["even/0.png", "even/a,b.png", "even/q\"uote.png", "odd/1.png", "odd/2.png", "odd/3.png"];
        for (int i = 0; i < names.Length; i++)
        {
            string path = Path.Combine(images, names[i]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var bitmap = new SkiaSharp.SKBitmap(28, 28, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque);
            for (int p = 0; p < 784; p++)
            {
                byte b = (byte)MathF.Round(digits.Features[i * 784 + p] * 255);
                bitmap.SetPixel(p % 28, p / 28, new SkiaSharp.SKColor(b, b, b));
            }
            using SkiaSharp.SKData png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, png.ToArray());
        }
        string codes = Out("png-codes.csv"), decoded = Out("png-decoded.csv");
        var (exit, output, error) = CliRun.Run("encode", "--model", TestModel.Folder, "--data", images, "--out", codes);
        Assert.True(exit == 0, error);
        Assert.Contains($"wrote {codes}", output);

        string[] lines = File.ReadAllLines(codes);
        Assert.Equal(["index", "file", "label", .. Names("mean", 8)], lines[0].Split(','));
        Assert.StartsWith("1,\"even/a,b.png\",0,", lines[2]);
        Assert.StartsWith("2,\"even/q\"\"uote.png\",0,", lines[3]);
        Assert.StartsWith("3,odd/1.png,1,", lines[4]);

        using var vae = VaeModel.Load(TestModel.Folder);
        var (_, rows) = RunCsv(decoded, "decode", "--model", TestModel.Folder, "--codes", codes, "--out", decoded);
        Assert.Equal(vae.Reconstruct(digits.Features), rows.SelectMany(r => r));
    }

    [Fact]
    public void Score_of_unlabelled_data_has_no_label_column()
    {
        string data = Out("unlabelled.csv"), csv = Out("unlabelled-scores.csv");
        Dataset digits = MnistTest(4);
        File.WriteAllLines(data, digits.Features.Chunk(784).Select(row => string.Join(',', row.Select(v => MathF.Round(v * 255).ToString(CultureInfo.InvariantCulture)))));
        var (header, rows) = RunCsv(csv, "score", "--model", TestModel.Folder, "--data", data, "--samples", "3", "--out", csv);

        using var vae = VaeModel.Load(TestModel.Folder);
        AnomalyScore[] expected = vae.ScoreAnomalies(digits.Features, 3, 1);
        Assert.Equal(["index", "nll", "neg_elbo", "reconstruction", "kl", "squared_error"], header);
        Assert.Equal(expected.Select(s => s.NegativeLogLikelihood), rows.Select(r => r[1]));
    }

    [Fact]
    public void Encode_split_train_reads_the_mnist_training_images()
    {
        const int n = 5;
        string csv = Out("train.csv");
        var (_, rows) = RunCsv(csv, "encode", "--model", TestModel.Folder, "--data", Mnist, "--split", "train", "--count", $"{n}", "--out", csv);
        Dataset train = DataSource.Load(RepoPaths.RequireMnist(), new DataOptions()).Take(n);
        using var vae = VaeModel.Load(TestModel.Folder);
        var (mean, _) = vae.Encode(train.Features);
        Assert.Equal(train.Labels!.Select(l => (float)l), rows.Select(r => r[1]));
        Assert.Equal(mean, rows.SelectMany(r => r[2..]));
    }

    [Fact]
    public void Out_dash_writes_the_table_to_standard_output_and_the_status_to_standard_error()
    {
        var (exit, output, error) = CliRun.Run("encode", "--model", TestModel.Folder, "--data", Mnist, "--count", "3", "--out", "-");
        Assert.Equal(0, exit);
        var (header, rows) = ReadCsv(output);
        Assert.Equal(["index", "label", .. Names("mean", 8)], header);
        Assert.Equal(3, rows.Length);
        Assert.Contains("wrote standard output (3 rows", error);
    }

    [Fact]
    public void Score_writes_the_library_anomaly_scores_per_sample()
    {
        const int n = 30, samples = 4, seed = 7;
        string csv = Out("scores.csv");
        var (header, rows) = RunCsv(csv, "score", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--samples", $"{samples}", "--seed", $"{seed}", "--out", csv);

        using var vae = VaeModel.Load(TestModel.Folder);
        Dataset test = MnistTest(n);
        AnomalyScore[] expected = vae.ScoreAnomalies(test.Features, samples, seed);
        Assert.Equal(["index", "label", "nll", "neg_elbo", "reconstruction", "kl", "squared_error"], header);
        for (int i = 0; i < n; i++)
        {
            AnomalyScore s = expected[i];
            Assert.Equal([i, test.Labels![i], s.NegativeLogLikelihood, s.NegativeElbo, s.ReconstructionNll, s.Kl, s.SquaredError], rows[i]);
        }
    }

    [Fact]
    public void Decode_of_encoded_means_is_the_library_reconstruction()
    {
        const int n = 20;
        string codes = Out("codes.csv"), decoded = Out("decoded.csv");
        RunCsv(codes, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", $"{n}", "--out", codes);
        var (header, rows) = RunCsv(decoded, "decode", "--model", TestModel.Folder, "--codes", codes, "--out", decoded);

        using var vae = VaeModel.Load(TestModel.Folder);
        float[] expected = vae.Reconstruct(MnistTest(n).Features);
        Assert.Equal(Names("x", 784), header);
        Assert.Equal(n, rows.Length);
        Assert.Equal(expected, rows.SelectMany(r => r));
    }

    [Fact]
    public void Decode_refuses_a_label_column_for_an_unconditional_model()
    {
        string codes = Out("plain.csv");
        File.WriteAllText(codes, string.Join(",", Enumerable.Repeat("0.5", 9)) + "\n");   // 9 values: 8 codes + a "label"
        Assert.Contains($"--label-column is 0, but it is for conditional models; {TestModel.Folder} is unconditional (classes 0)",
                        CliRun.Failure("decode", "--model", TestModel.Folder, "--codes", codes, "--label-column", "0", "--out", Out("d.csv")));
    }

    [Fact]
    public void Decode_draws_a_png_grid_of_the_first_count_codes()
    {
        string codes = Out("codes.csv"), png = Out("decoded.png");
        RunCsv(codes, "encode", "--model", TestModel.Folder, "--data", Mnist, "--count", "30", "--out", codes);
        var (width, height) = CliRun.Png(png, "decode", "--model", TestModel.Folder, "--codes", codes, "--count", "12", "--columns", "6", "--out", png);
        // ImageGrid: 3× upscaled 28-pixel cells, 2-pixel separators, a 29-pixel title band; the title may be wider than the grid.
        Assert.Equal(29 + 2 * (84 + 2) + 2, height);
        Assert.True(width >= 6 * (84 + 2) + 2, $"width {width}");
    }

    [Fact]
    public void Decode_reads_headerless_codes_with_a_label_column_for_a_conditional_model()
    {
        string model = TestModel.Conditional, codes = Out("conditional-codes.csv"), decoded = Out("conditional.csv");
        float[] z = [0.5f, -1.25f, 2f, 0f, -0.75f, 0.1f, 1.5f, -2f];
        int[] labels = [3, 8];
        File.WriteAllLines(codes, [$"0.5,-1.25,{labels[0]},2,0", $"-0.75,0.1,{labels[1]},1.5,-2"]);
        var (_, rows) = RunCsv(decoded, "decode", "--model", model, "--codes", codes, "--label-column", "2", "--out", decoded);

        using var vae = VaeModel.Load(model);
        Assert.Equal(vae.Decode(z, labels), rows.SelectMany(r => r));
        Assert.NotEqual(vae.Decode(z, [labels[1], labels[0]]), rows.SelectMany(r => r));
    }

    [Fact]
    public void Encode_and_decode_a_conditional_model_round_trip_with_the_label_column()
    {
        const int n = 10;
        string model = TestModel.Conditional, codes = Out("codes.csv"), decoded = Out("decoded.csv");
        var (header, _) = RunCsv(codes, "encode", "--model", model, "--data", Mnist, "--count", $"{n}", "--out", codes);
        var (_, rows) = RunCsv(decoded, "decode", "--model", model, "--codes", codes, "--out", decoded);

        using var vae = VaeModel.Load(model);
        Dataset test = MnistTest(n);
        Assert.Equal(["index", "label", .. Names("mean", 4)], header);
        Assert.Equal(vae.Reconstruct(test.Features, test.Labels), rows.SelectMany(r => r));
    }

    [Theory]
    [InlineData("encode --kind median", "--kind is 'median'; expected one of mean, mean-logvar, sample")]
    [InlineData("encode --out codes.txt", "--out is 'codes.txt'; expected a path ending in .csv, or - for standard output")]
    [InlineData("score --split validation", "--split is 'validation'; expected test or train")]
    [InlineData("score --samples 0", "--samples is 0; expected at least 1")]
    [InlineData("score --samples 100001", "--samples is 100001; expected at most 100000 draws per sample")]
    [InlineData("decode --codes missing.csv", "codes file not found: missing.csv")]
    public void Bad_options_are_one_error_line(string args, string expected)
    {
        string[] parts = args.Split(' ');
        string[] data = parts[0] == "decode" ? [] : ["--data", Mnist];
        Assert.Contains(expected, CliRun.Failure([parts[0], "--model", TestModel.Folder, .. data, .. parts[1..]]));
    }

    [Fact]
    public void Split_train_on_data_without_splits_is_an_error()
    {
        string data = Out("tiny.csv");
        File.WriteAllLines(data, [string.Join(',', Enumerable.Repeat("0", 784))]);
        string error = CliRun.Failure("encode", "--model", TestModel.Folder, "--data", data, "--split", "train", "--out", Out("x.csv"));
        Assert.Contains($"--split train picks an MNIST folder's training images; {data} is not an MNIST folder", error);
    }

    [Theory]
    [InlineData("index,label,mean_0,mean_1\n0,1,0.5,0.25\n", "the header has mean columns mean_0, mean_1; the model's latent has 8 values, expected mean_0 … mean_7")]
    [InlineData("a,b,c\n1,2,3\n", "the header (a, b, c) has no code columns; expected z_0 … z_7 or mean_0 … mean_7")]
    [InlineData("1,2,3\n", "rows have 3 code values; the model's latent has 8")]
    [InlineData("1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7\n", "row 2 has 7 columns; the first row has 8")]
    [InlineData("z_0,z_1,z_2,z_3,z_4,z_5,z_6,z_7\n1,2,3,4,5,6,7,1e39\n", "row 2, column 8: '1e39' is not finite in float32")]
    [InlineData("", "no rows of codes")]
    public void Malformed_codes_files_name_the_problem(string content, string expected)
    {
        string codes = Out("bad.csv");
        File.WriteAllText(codes, content);
        string error = CliRun.Failure("decode", "--model", TestModel.Folder, "--codes", codes, "--out", Out("decoded.csv"));
        Assert.Contains($"{codes}: {expected}", error);
        Assert.False(File.Exists(Out("decoded.csv")));
    }

    [Theory]
    [InlineData("z_0,z_1,z_2,z_3\n1,2,3,4\n", "the model is conditional (10 classes) and the file has no label column")]
    [InlineData("label,z_0,z_1,z_2,z_3\n10,1,2,3,4\n", "row 2, column 1: label '10' is not a class of the model; expected an integer from 0 to 9")]
    [InlineData("label,z_0,z_1,z_2,z_3\n2.5,1,2,3,4\n", "row 2, column 1: label '2.5' is not a class of the model")]
    public void Conditional_codes_need_valid_labels(string content, string expected)
    {
        string codes = Out("bad-labels.csv");
        File.WriteAllText(codes, content);
        Assert.Contains(expected, CliRun.Failure("decode", "--model", TestModel.Conditional, "--codes", codes, "--out", Out("decoded.csv")));
    }

    [Fact]
    public void Decode_to_png_refuses_more_codes_than_a_grid_can_show()
    {
        string codes = Out("many.csv");
        File.WriteAllLines(codes, Enumerable.Repeat(string.Join(',', Enumerable.Repeat("0", 8)), 1025));
        Assert.Contains("--out is a PNG and the codes file has 1,025 codes; a grid draws at most 1,024",
                        CliRun.Failure("decode", "--model", TestModel.Folder, "--codes", codes, "--out", Out("many.png")));
    }

    [Fact]
    public void Codes_are_read_rounded_once_to_float32()
    {
        // as a double the text is the midpoint between two floats, which then rounded up (ties to even): 1 + 2^-22
        string codes = Out("round.csv");
        File.WriteAllText(codes, "1.0000001788139343,0,0,0,0,0,0,0\n");
        var read = Vae.Cli.Tables.LatentCodesFile.Read(codes, latentSize: 8, classes: 0, labelColumn: null);
        Assert.Equal(BitConverter.Int32BitsToSingle(0x3F800001), read.Values[0]);   // 1 + 2^-23, the nearest float
    }
}
