using System.Globalization;
using System.Text.RegularExpressions;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Cli.Tests;

/// <summary>
/// <c>vae cluster</c> and <c>vae classify</c> (the ML.NET demos) on the committed reference model (784-256-8): the
/// reports hold both pipelines with their feature sizes and figures in range, the VAE features carry the digits
/// (accuracy far above chance), labelled data of any kind is read like <c>train</c> reads it, and missing labels or
/// a missing test set are clear errors.
/// </summary>
public partial class MlNetDemoCommandTests
{
    private static string Model => TestModel.Folder;
    private readonly string folder = RepoPaths.NewTempFolder();

    [GeneratedRegex(@"^\s+(?<name>VAE.*?|raw pixels)\s{2,}(?<dims>\d+)\s+(?<figures>[\d.,% ]+?)\s+(?<seconds>\d+\.\d)$", RegexOptions.Multiline)]
    private static partial Regex ReportRow();

    /// <summary>Each report row: its name, feature size and the figures between them and the seconds.</summary>
    private static List<(string Name, int Dims, double[] Figures)> Rows(string output) =>
        ReportRow().Matches(output).Select(m => (m.Groups["name"].Value.Trim(), int.Parse(m.Groups["dims"].Value, CultureInfo.InvariantCulture),
            m.Groups["figures"].Value.Replace(" %", "%").Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => double.Parse(f.TrimEnd('%'), CultureInfo.InvariantCulture) / (f.EndsWith('%') ? 100 : 1)).ToArray())).ToList();

    [Fact]
    public void Cluster_reports_purity_and_nmi_of_both_pipelines_on_a_seeded_sample()
    {
        string data = RepoPaths.RequireMnist();
        var (exit, output, error) = CliRun.Run("cluster", "--model", Model, "--data", data, "--count", "800", "--clusters", "10");
        Assert.True(exit == 0, error);
        Assert.Contains($"KMeans (k=10) on 800 test images of {data}", output);
        var rows = Rows(output);
        Assert.Equal(["VAE posterior mean (ML.NET)", "raw pixels"], rows.Select(r => r.Name));
        Assert.Equal([8, 784], rows.Select(r => r.Dims));
        foreach (var (_, _, figures) in rows)
        {
            Assert.Equal(2, figures.Length);
            // Purity of 10 clusters over 10 roughly balanced digits is at least about 0.1 by construction; NMI lies in [0, 1].
            Assert.InRange(figures[0], 0.1, 1.0);
            Assert.InRange(figures[1], 0.0, 1.0);
        }
    }

    [Fact]
    public void Classify_on_vae_means_reads_the_digits_far_above_chance()
    {
        var (exit, output, error) = CliRun.Run("classify", "--model", Model, "--data", RepoPaths.RequireMnist(), "--train", "2000");
        Assert.True(exit == 0, error);
        Assert.Contains("trained on 2000 training images, accuracy on the 10000 test images", output);
        var rows = Rows(output);
        Assert.Equal(["VAE Mean (ML.NET)", "raw pixels"], rows.Select(r => r.Name));
        Assert.Equal([8, 784], rows.Select(r => r.Dims));
        // Ten classes: chance is 10 %. An 8-d code of a trained VAE separates the digits linearly far better.
        Assert.True(rows[0].Figures[0] > 0.6, $"VAE-mean accuracy {rows[0].Figures[0]:P2}");
        Assert.True(rows[1].Figures[0] > 0.6, $"raw-pixel accuracy {rows[1].Figures[0]:P2}");
    }

    [Fact]
    public void Classify_reads_labelled_csv_files_for_training_and_test()
    {
        Dataset mnist = Mnist.LoadTest(RepoPaths.RequireMnist());
        string train = WriteCsv("train.csv", mnist, 0, 1500), test = WriteCsv("test.csv", mnist, 1500, 500);
        var (exit, output, error) = CliRun.Run("classify", "--model", Model, "--data", train, "--test-data", test, "--label-column", "0", "--train", "0");
        Assert.True(exit == 0, error);
        Assert.Contains("trained on 1500 training images, accuracy on the 500 test images", output);
        Assert.True(Rows(output)[0].Figures[0] > 0.6, output);
    }

    [Fact]
    public void Classify_table_columns_line_up_for_the_longest_kind_name()
    {
        // "VAE ReconstructionError (ML.NET)" is 32 characters; the name column was 28 wide and pushed that row's figures right
        Dataset mnist = Mnist.LoadTest(RepoPaths.RequireMnist());
        string train = WriteCsv("train-rows.csv", mnist, 0, 300), test = WriteCsv("test-rows.csv", mnist, 300, 100);
        var (exit, output, error) = CliRun.Run("classify", "--model", Model, "--data", train, "--test-data", test, "--label-column", "0",
                                               "--train", "0", "--kind", "ReconstructionError");
        Assert.True(exit == 0, error);
        string[] table = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("  ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, table.Length);
        Assert.Contains("VAE ReconstructionError (ML.NET)", table[1]);
        int dimsEnd = table[0].IndexOf("dims", StringComparison.Ordinal) + "dims".Length;
        int accuracyEnd = table[0].IndexOf("accuracy", StringComparison.Ordinal) + "accuracy".Length;
        foreach (string row in table[1..])
        {
            Assert.True(char.IsDigit(row[dimsEnd - 1]) && row[dimsEnd] == ' ', $"dims column of '{row}' does not end under the header's:\n{table[0]}");
            Assert.True(row[accuracyEnd - 1] == '%', $"accuracy column of '{row}' does not end under the header's:\n{table[0]}");
        }
    }

    [Fact]
    public void Unlabelled_data_and_a_missing_test_set_are_clear_errors()
    {
        Dataset mnist = Mnist.LoadTest(RepoPaths.RequireMnist());
        string labelled = WriteCsv("labelled.csv", mnist, 0, 50), unlabelled = Path.Combine(folder, "unlabelled.csv");
        File.WriteAllLines(unlabelled, File.ReadAllLines(labelled).Select(line => line[(line.IndexOf(',') + 1)..]));

        Assert.Equal($"error: {unlabelled} has no labels; expected labelled data (an MNIST folder, images in one sub-folder per class, a CSV with --label-column or an idx file with --labels).",
                     CliRun.Failure("cluster", "--model", Model, "--data", unlabelled));
        Assert.Equal("error: classify needs a test set: pass --test-data (an MNIST folder as --data brings its t10k split).",
                     CliRun.Failure("classify", "--model", Model, "--data", labelled, "--label-column", "0"));
    }

    [Fact]
    public void Accuracy_counts_every_test_image_even_of_classes_missing_from_training()
    {
        // keys learnt from training rows of digits 0 and 1 only made every other test row a missing label, which the
        // evaluator skipped: about 99 % "on the 500 test images", measured on the ~100 zeros and ones among them
        Dataset mnist = Mnist.LoadTest(RepoPaths.RequireMnist());
        int[] zerosAndOnes = Enumerable.Range(0, 2000).Where(i => mnist.Labels![i] <= 1).Take(100).ToArray();
        string train = WriteCsv("01.csv", mnist.Subset(zerosAndOnes), 0, zerosAndOnes.Length), test = WriteCsv("all.csv", mnist, 5000, 500);
        int testZerosAndOnes = Enumerable.Range(5000, 500).Count(i => mnist.Labels![i] <= 1);

        var (exit, output, error) = CliRun.Run("classify", "--model", Model, "--data", train, "--test-data", test, "--label-column", "0", "--train", "0");
        Assert.True(exit == 0, error);
        Assert.All(Rows(output), row => Assert.True(row.Figures[0] <= testZerosAndOnes / 500.0,
            $"{row.Name}: accuracy {row.Figures[0]:P2}, but only {testZerosAndOnes} of the 500 test images are of the two trained classes"));
    }

    [Fact]
    public void More_clusters_than_images_is_an_option_error_not_an_ml_net_crash()
    {
        // were an unhandled InvalidOperationException ("too few examples") and, for k = 100000, an OutOfMemoryException
        Assert.Equal("error: --clusters is 10; expected at most the 5 images clustered (lower --clusters or raise --count).",
                     CliRun.Failure("cluster", "--model", Model, "--data", RepoPaths.RequireMnist(), "--count", "5"));
        Assert.Contains("--clusters is 100000; expected at most the 10000 images clustered",
                        CliRun.Failure("cluster", "--model", Model, "--data", RepoPaths.RequireMnist(), "--clusters", "100000"));
    }

    /// <summary>Rows [start, start + count) of <paramref name="data"/> as a CSV: the label, then the pixel values.</summary>
    private string WriteCsv(string name, Dataset data, int start, int count)
    {
        string path = Path.Combine(folder, name);
        int size = data.SampleSize;
        File.WriteAllLines(path, Enumerable.Range(start, count).Select(i =>
            data.Labels![i].ToString(CultureInfo.InvariantCulture) + "," +
            string.Join(',', data.Features.AsSpan(i * size, size).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        return path;
    }
}
