using System.Globalization;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Cli.Tests;

/// <summary><c>vae impute</c> on the reference model (784-256-8): pictures, completed CSV files, scores and bad input.</summary>
public class ImputeCommandTests
{
    private readonly string folder = RepoPaths.NewTempFolder();
    private readonly string data = RepoPaths.RequireMnist();

    [Fact]
    public void A_hidden_bottom_half_is_drawn_and_scored_against_mean_filling()
    {
        string png = Path.Combine(folder, "imputed.png");
        var (exit, output, error) = CliRun.Run("impute", "--model", TestModel.Folder, "--data", data, "--count", "300", "--columns", "6", "--out", png);
        Assert.True(exit == 0, error);
        Assert.Contains("mask bottom-half", output);
        Assert.Matches(@"MSE on the hidden values: imputed 0\.\d{5}, column-mean fill 0\.\d{5}", output);
        var (_, height) = CliRun.DecodedSize(png);
        Assert.True(height >= 3 * (28 * 3 + 2), $"masked, imputed and truth rows expected; the picture is {height} pixels tall");
    }

    [Fact]
    public void Completed_csv_keeps_every_observed_value_as_the_file_holds_it()
    {
        // 20 MNIST test images as a CSV of bytes, with a few cells left empty and one NaN
        Dataset images = Mnist.LoadTest(data).Take(20);
        var rows = new List<string>();
        var missing = new HashSet<(int Row, int Column)> { (0, 300), (0, 301), (3, 400), (7, 500), (19, 783) };
        for (int r = 0; r < 20; r++)
            rows.Add(string.Join(",", Enumerable.Range(0, 784).Select(j => missing.Contains((r, j)) ? (r == 7 ? "NaN" : "")
                : Math.Round(images.Features[r * 784 + j] * 255).ToString(CultureInfo.InvariantCulture))));
        string input = Path.Combine(folder, "gaps.csv"), completed = Path.Combine(folder, "completed.csv");
        File.WriteAllText(input, string.Join("\n", rows) + "\n");

        var (exit, output, error) = CliRun.Run("impute", "--model", TestModel.Folder, "--data", input, "--mask", "from-data", "--out", completed);
        Assert.True(exit == 0, error);
        Assert.Contains("20 rows, 5 missing values imputed under mask from-data", output);
        Assert.DoesNotContain("MSE", output);   // the data's own gaps have no truth to score

        string[] lines = File.ReadAllLines(completed);
        Assert.Equal(21, lines.Length);
        Assert.Equal("x_0", lines[0].Split(',')[0]);
        string[] original = File.ReadAllLines(input);
        for (int r = 0; r < 20; r++)
        {
            string[] cells = lines[r + 1].Split(','), before = original[r].Split(',');
            for (int j = 0; j < 784; j++)
            {
                float value = float.Parse(cells[j], CultureInfo.InvariantCulture);
                if (missing.Contains((r, j))) Assert.InRange(value, 0f, 255f);   // a probability × 255
                else Assert.Equal(float.Parse(before[j], CultureInfo.InvariantCulture), value);
            }
        }
    }

    [Fact]
    public void The_imputed_values_are_the_librarys()
    {
        string csv = Path.Combine(folder, "random.csv");
        var (exit, _, error) = CliRun.Run("impute", "--model", TestModel.Folder, "--data", data, "--count", "4", "--mask", "random:0.5", "--seed", "3", "--iterations", "2", "--out", csv);
        Assert.True(exit == 0, error);

        Dataset images = Mnist.LoadTest(data).Take(4);
        bool[] observed = new Vae.Training.Missing.MissingMask(Vae.Training.Missing.MaskKind.Random, 0.5).Observed(images, 3);
        using var vae = VaeModel.Load(TestModel.Folder);
        float[] expected = vae.Impute(images.Features, observed, 2);
        string[] lines = File.ReadAllLines(csv);
        for (int r = 0; r < 4; r++)
        {
            float[] cells = lines[r + 1].Split(',').Take(784).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            for (int j = 0; j < 784; j++)
                Assert.Equal(observed[r * 784 + j] ? MathF.Round(images.Features[r * 784 + j] * 255) : expected[r * 784 + j] * 255, cells[j], 1e-3f);
        }
    }

    [Fact]
    public void Bad_masks_and_data_without_gaps_are_clear_errors()
    {
        string png = Path.Combine(folder, "x.png");
        Assert.Contains("--mask is 'half'; expected from-data (or allow), bottom-half or random:P",
                        CliRun.Failure("impute", "--model", TestModel.Folder, "--data", data, "--mask", "half", "--out", png));
        Assert.Contains("has no missing values; hide some with --mask bottom-half or --mask random:P",
                        CliRun.Failure("impute", "--model", TestModel.Folder, "--data", data, "--count", "5", "--mask", "from-data", "--out", png));
        string narrow = Path.Combine(folder, "narrow.csv");
        File.WriteAllText(narrow, "1,,3\n4,5,6\n");
        Assert.Contains("the model expects",
                        CliRun.Failure("impute", "--model", TestModel.Folder, "--data", narrow, "--mask", "from-data", "--out", png));
        Assert.Contains("--out is 'x.txt'; expected a path ending in .csv",
                        CliRun.Failure("impute", "--model", TestModel.Folder, "--data", data, "--out", "x.txt"));
        Assert.False(File.Exists(png));
    }
}

/// <summary><c>--missing-mask</c>: gaps in images given as a file of 0/1 flags.</summary>
public class MaskFileCommandTests
{
    [Fact]
    public void Images_with_a_mask_file_are_imputed_where_it_says_and_a_wrong_mask_is_refused()
    {
        string folder = RepoPaths.NewTempFolder(), data = RepoPaths.RequireMnist();
        string mask = Path.Combine(folder, "mask.csv"), png = Path.Combine(folder, "holes.png");
        // the first 6 test images without their left 10 columns
        File.WriteAllLines(mask, Enumerable.Range(0, 6).Select(_ => string.Join(",", Enumerable.Range(0, 784).Select(i => i % 28 < 10 ? "0" : "1"))));
        var (exit, output, error) = CliRun.Run("impute", "--model", TestModel.Folder, "--data", data, "--count", "6", "--mask", "from-data", "--missing-mask", mask, "--out", png);
        Assert.True(exit == 0, error);
        Assert.Contains("mask from-data", output);
        Assert.DoesNotContain("MSE", output);   // gaps the data declares have no truth to score

        string csv = Path.Combine(folder, "filled.csv");
        string written = CliRun.Setup(["impute", "--model", TestModel.Folder, "--data", data, "--count", "6", "--mask", "from-data", "--missing-mask", mask, "--out", csv]);
        Assert.Contains("6 rows, 1,680 missing values imputed", written);   // 10 columns × 28 rows × 6 images

        string wrong = Path.Combine(folder, "wrong.csv");
        File.WriteAllLines(wrong, Enumerable.Range(0, 6).Select(_ => string.Join(",", Enumerable.Repeat("1", 783))));
        Assert.Contains("has 6 samples of 783 values; the data has 6 samples of 784",
                        CliRun.Failure("impute", "--model", TestModel.Folder, "--data", data, "--count", "6", "--mask", "from-data", "--missing-mask", wrong, "--out", png));
        Assert.Contains("--missing-mask says which values are missing; it goes with --mask from-data",
                        CliRun.Failure("impute", "--model", TestModel.Folder, "--data", data, "--count", "6", "--missing-mask", mask, "--out", png));
    }
}
