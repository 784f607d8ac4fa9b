using System.Globalization;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Cli.Tests;

/// <summary>
/// <c>vae train --normalize</c> on a table of raw features: the fitted normalisation travels into the exported model,
/// and the inference commands read raw data with it (their codes equal the library's on the normalised values).
/// </summary>
public class NormalizeCommandTests
{
    private readonly string folder = RepoPaths.NewTempFolder();

    /// <summary>200 rows of four features on very different scales (e.g. income, age, a ratio, a count), two of them correlated.</summary>
    private string Table()
    {
        string path = Path.Combine(folder, "table.csv");
        var random = new Random(3);
        var lines = new List<string> { "income,age,ratio,visits" };
        for (int i = 0; i < 200; i++)
        {
            double age = 20 + random.NextDouble() * 50;
            double income = 20_000 + age * 1_500 + random.NextDouble() * 10_000;
            lines.Add(string.Join(",", new[] { income, age, random.NextDouble(), Math.Floor(random.NextDouble() * 40) }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    private string TrainAndExport(string table, string normalize)
    {
        string run = Path.Combine(folder, "run"), model = Path.Combine(folder, "model");
        string output = CliRun.Setup(
            ["train", "--data", table, "--csv-header", "--normalize", normalize, "--likelihood", "gaussian", "--hidden", "16", "--latent", "2", "--epochs", "2", "--out", run],
            ["export", "--checkpoint", run, "--out", model]);
        Assert.Contains("exported", output);
        return model;
    }

    [Fact]
    public void Encode_reads_raw_features_with_the_normalisation_fitted_at_training()
    {
        string table = Table(), model = TrainAndExport(table, "standard");
        string csv = Path.Combine(folder, "codes.csv");
        var (exit, output, error) = CliRun.Run("encode", "--model", model, "--data", table, "--csv-header", "--out", csv);
        Assert.True(exit == 0, error);
        Assert.Contains($"wrote {csv}", output);

        Dataset raw = DataSource.Load(table, new DataOptions { CsvHeader = true, Scale = 1 });
        using var vae = VaeModel.Load(model);
        InputNormalization n = vae.Info.Normalization!;
        Assert.Equal(NormalizationKind.Standard, n.Kind);
        Assert.Equal(4, n.Length);
        // the statistics are the training table's: the normalised columns have mean 0 and deviation 1
        float[] x = n.Apply(raw.Features, 4);
        for (int j = 0; j < 4; j++)
        {
            double[] column = Enumerable.Range(0, raw.Count).Select(i => (double)x[i * 4 + j]).ToArray();
            Assert.Equal(0, column.Average(), 1e-5);
            Assert.Equal(1, Math.Sqrt(column.Select(v => v * v).Average()), 1e-5);
        }
        var (mean, _) = vae.Encode(x);
        string[] rows = File.ReadAllLines(csv)[1..];
        Assert.Equal(raw.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(mean.AsSpan(i * 2, 2).ToArray(), rows[i].Split(',')[1..].Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray());
    }

    [Fact]
    public void Score_per_value_gives_each_column_its_squared_error_in_standard_deviations()
    {
        string table = Table(), model = TrainAndExport(table, "standard");
        string csv = Path.Combine(folder, "scores.csv");
        var (exit, output, error) = CliRun.Run("score", "--model", model, "--data", table, "--csv-header", "--per-value", "--out", csv);
        Assert.True(exit == 0, error);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(["index", "nll", "neg_elbo", "reconstruction", "kl", "squared_error", "sq_0", "sq_1", "sq_2", "sq_3"], lines[0].Split(','));

        using var vae = VaeModel.Load(model);
        float[] x = vae.Info.Normalization!.Apply(DataSource.Load(table, new DataOptions { CsvHeader = true, Scale = 1 }).Features, 4);
        float[] reconstruction = vae.Reconstruct(x);
        for (int i = 0; i < 200; i++)
        {
            float[] row = lines[i + 1].Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            float[] expected = Enumerable.Range(0, 4).Select(j => (x[i * 4 + j] - reconstruction[i * 4 + j]) * (x[i * 4 + j] - reconstruction[i * 4 + j])).ToArray();
            Assert.Equal(expected, row[6..]);
            Assert.Equal(row[5], row[6..].Sum(), 1e-4f * Math.Max(1f, row[5]));   // they add up to squared_error
        }
    }

    [Fact]
    public void Decode_writes_the_decoded_means_back_in_raw_units()
    {
        string table = Table(), model = TrainAndExport(table, "standard");
        string codes = Path.Combine(folder, "codes.csv"), decoded = Path.Combine(folder, "decoded.csv"), asIs = Path.Combine(folder, "as-is.csv");
        CliRun.Setup(["encode", "--model", model, "--data", table, "--csv-header", "--count", "20", "--out", codes]);
        var (exit, output, error) = CliRun.Run("decode", "--model", model, "--codes", codes, "--out", decoded);
        Assert.True(exit == 0, error);
        Assert.Contains("20 rows of 4 decoded means in raw units (the model's input normalisation inverted)", output);
        CliRun.Setup(["decode", "--model", model, "--codes", codes, "--normalized", "--out", asIs]);

        using var vae = VaeModel.Load(model);
        float[] z = File.ReadAllLines(codes)[1..].SelectMany(l => l.Split(',')[1..].Select(c => float.Parse(c, CultureInfo.InvariantCulture))).ToArray();
        float[] means = vae.Decode(z);
        float[] Values(string csv) => File.ReadAllLines(csv)[1..].SelectMany(l => l.Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(means, Values(asIs));
        float[] inRawUnits = new float[means.Length];
        vae.Info.Normalization!.Invert(means, inRawUnits, 4);
        Assert.Equal(inRawUnits, Values(decoded));
        Assert.InRange(inRawUnits.Where((_, i) => i % 4 == 0).Average(), 50_000, 120_000);   // incomes, not standard deviations
    }

    [Fact]
    public void A_model_with_a_recorded_normalisation_refuses_scale_and_resume_refuses_a_new_one()
    {
        string table = Table(), model = TrainAndExport(table, "minmax");
        string error = CliRun.Failure("encode", "--model", model, "--data", table, "--csv-header", "--scale", "1000", "--out", Path.Combine(folder, "c.csv"));
        Assert.Contains("--scale does not apply: the model records how its inputs were normalised at training ((x − min) / (max − min) per value (4 values, from the training data))", error);

        error = CliRun.Failure("train", "--data", table, "--csv-header", "--resume", "--normalize", "standard", "--epochs", "3", "--out", Path.Combine(folder, "run"));
        Assert.Contains("--resume reads the data with the run's recorded normalisation ((x − min) / (max − min)", error);
        var (exit, output, stderr) = CliRun.Run("train", "--data", table, "--csv-header", "--resume", "--epochs", "3", "--out", Path.Combine(folder, "run"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("inputs (x − min) / (max − min) per value (4 values, from the training data)", output);
    }

    [Fact]
    public void An_unknown_normalisation_is_refused_naming_the_choices()
    {
        string error = CliRun.Failure("train", "--data", Table(), "--csv-header", "--normalize", "zscore", "--out", Path.Combine(folder, "run"));
        Assert.Contains("--normalize is 'zscore'; expected standard or minmax (to divide every value by one number, use --scale).", error);
        error = CliRun.Failure("train", "--data", Table(), "--csv-header", "--normalize", "standard", "--scale", "10", "--out", Path.Combine(folder, "run"));
        Assert.Contains("--normalize is standard and --scale is 10: both say how to scale the values; give one.", error);
    }
}
