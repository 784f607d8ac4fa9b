using System.Globalization;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>
/// Input normalisation from the readers to the exported model: fitted statistics against a reference written out here
/// (LINQ in double), what each reader records, the test set read with the training set's normalisation, the
/// checkpoint's normalization.json and the model's metadata.
/// </summary>
public class NormalizationTests
{
    // three columns on very different scales (a tabular set: income, age, a ratio); the last is constant in the first rows
    private static readonly double[][] Rows =
    [
        [52_000, 31, 0.5], [61_500, 45, 0.5], [38_250, 23, 0.5], [120_000, 52, 0.5], [47_800, 38, 0.25], [75_300, 61, 0.75],
    ];

    private static string Csv(int rows = 6)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "table.csv");
        File.WriteAllLines(path, Rows.Take(rows).Select(r => string.Join(",", r.Select(v => v.ToString(CultureInfo.InvariantCulture)))));
        return path;
    }

    [Fact]
    public void Standard_is_the_mean_and_population_deviation_of_each_column()
    {
        Dataset data = DataSource.Load(Csv(), new DataOptions { Normalize = NormalizationKind.Standard });
        InputNormalization n = data.Normalization!;
        Assert.Equal(NormalizationKind.Standard, n.Kind);
        for (int j = 0; j < 3; j++)
        {
            double[] column = Rows.Select(r => (double)(float)r[j]).ToArray();
            double mean = column.Average();
            double std = Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal((float)mean, n.Offset[j]);
            Assert.Equal((float)std, n.Divisor[j]);
            for (int i = 0; i < Rows.Length; i++)
                Assert.Equal(((float)Rows[i][j] - (float)mean) / (float)std, data.Features[i * 3 + j]);
        }
    }

    [Fact]
    public void Minmax_maps_each_column_onto_0_1_and_a_constant_column_onto_0()
    {
        Dataset data = DataSource.Load(Csv(rows: 4), new DataOptions { Normalize = NormalizationKind.MinMax });
        InputNormalization n = data.Normalization!;
        Assert.Equal([38_250f, 23f, 0.5f], n.Offset);
        Assert.Equal([120_000f - 38_250f, 52f - 23f, 1f], n.Divisor);   // the constant column keeps divisor 1
        float[] column0 = Enumerable.Range(0, 4).Select(i => data.Features[i * 3]).ToArray();
        Assert.Equal(0f, column0.Min());
        Assert.Equal(1f, column0.Max());
        Assert.Equal([0f, 0f, 0f, 0f], Enumerable.Range(0, 4).Select(i => data.Features[i * 3 + 2]).ToArray());
    }

    [Fact]
    public void A_limited_set_is_normalised_with_the_statistics_of_the_samples_kept()
    {
        Dataset four = DataSource.Load(Csv(), new DataOptions { Normalize = NormalizationKind.MinMax, Limit = 4 });
        Assert.Equal(4, four.Count);
        Assert.Equal(DataSource.Load(Csv(rows: 4), new DataOptions { Normalize = NormalizationKind.MinMax }).Normalization, four.Normalization);
    }

    [Fact]
    public void A_given_normalisation_is_applied_as_it_is_and_must_fit_the_samples()
    {
        Dataset train = DataSource.Load(Csv(rows: 4), new DataOptions { Normalize = NormalizationKind.Standard });
        string test = Csv();
        Dataset read = DataSource.Load(test, new DataOptions { Normalization = train.Normalization });
        Assert.Same(train.Normalization, read.Normalization);
        InputNormalization n = train.Normalization!;
        for (int i = 0; i < Rows.Length; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(((float)Rows[i][j] - n.Offset[j]) / n.Divisor[j], read.Features[i * 3 + j]);

        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(test, new DataOptions { Normalization = new InputNormalization(NormalizationKind.Standard, [0f, 0f], [1f, 1f]) }));
        Assert.Contains("samples of 3 values; the normalisation to apply ((x − mean) / std per value (2 values, from the training data)) is for samples of 2", e.Message);
    }

    [Fact]
    public void Every_reader_records_its_scaling()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset digits = DataSource.LoadTest(mnist, new DataOptions { Limit = 10 });
        Assert.Equal(InputNormalization.Scale(255f), digits.Normalization);
        Assert.Equal(Mnist.LoadTest(mnist).Take(10).Features, digits.Features);   // the same values as the MNIST reader's
        Assert.Equal(InputNormalization.Scale(255f), Mnist.LoadTest(mnist).Normalization);

        Assert.Equal(InputNormalization.Scale(1f), DataSource.Load(WriteCsv("0.5,0.25\n0.1,1\n"), new DataOptions()).Normalization);
        Assert.Equal(InputNormalization.Scale(255f), DataSource.Load(WriteCsv("0,255\n3,4\n"), new DataOptions()).Normalization);
        Assert.Equal(InputNormalization.Scale(10f), DataSource.Load(WriteCsv("0,255\n3,4\n"), new DataOptions { Scale = 10 }).Normalization);
        Assert.Equal([0f, 25.5f, 0.3f, 0.4f], DataSource.Load(WriteCsv("0,255\n3,4\n"), new DataOptions { Scale = 10 }).Features);
        Assert.Null(TinyVae.Data(4).Normalization);   // built by hand: unknown
    }

    [Theory]
    [InlineData(NormalizationKind.Standard, 2.0, null, "DataOptions.Normalize is standard and DataOptions.Scale is 2: both say how to scale the values; give one.")]
    [InlineData(NormalizationKind.Scale, 0.0, null, "DataOptions.Normalize is scale; expected standard or minmax (a fixed divisor is DataOptions.Scale).")]
    [InlineData(NormalizationKind.MinMax, 0.0, 255f, "DataOptions.Normalization (x / 255) is applied as it is; DataOptions.Normalize cannot be given with it.")]
    [InlineData(null, 3.0, 255f, "DataOptions.Normalization (x / 255) is applied as it is; DataOptions.Scale cannot be given with it.")]
    public void Conflicting_options_are_refused_before_any_file_is_read(NormalizationKind? kind, double scale, float? given, string message)
    {
        var options = new DataOptions { Normalize = kind, Scale = scale, Normalization = given is { } d ? InputNormalization.Scale(d) : null };
        var e = Assert.Throws<ArgumentException>(() => DataSource.Load("/nonexistent/data.csv", options));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Fitting_refuses_non_finite_values_and_partial_samples()
    {
        var e = Assert.Throws<ArgumentException>(() => Normalizing.Fit(NormalizationKind.Standard, [1f, 2f, float.PositiveInfinity, 4f], 2));
        Assert.StartsWith("sample 1, value 0 is Infinity; statistics need finite values.", e.Message);
        e = Assert.Throws<ArgumentException>(() => Normalizing.Fit(NormalizationKind.MinMax, [1f, 2f, 3f], 2));
        Assert.StartsWith("length of values is 3; expected one or more whole samples of 2 values.", e.Message);
    }

    [Fact]
    public void The_trainer_records_the_normalisation_in_both_checkpoints_and_the_export_in_the_model()
    {
        Dataset raw = TinyVae.Data(64);
        InputNormalization fitted = Normalizing.Fit(NormalizationKind.Standard, raw.Features, raw.SampleSize);
        var train = new Dataset(fitted.Apply(raw.Features, raw.SampleSize), raw.SampleShape) { Normalization = fitted };
        string run = RepoPaths.NewTempFolder();
        using var model = new MlpVae(TinyVae.Config with { Likelihood = Likelihood.Gaussian });
        new Trainer(model, new TrainOptions { Epochs = 1 }).Fit(train, runFolder: run);
        Assert.Equal(fitted, Checkpoint.ReadNormalization(Path.Combine(run, Checkpoint.LastFolder)));
        Assert.Equal(fitted, Checkpoint.ReadNormalization(run));   // a run folder: its best/

        Assert.Equal(fitted, model.InputNormalization);

        // exported from the trained model, and from the checkpoint loaded back: both carry it
        using VaeModule loaded = Checkpoint.Load(run);
        Assert.Equal(fitted, loaded.InputNormalization);
        foreach (VaeModule m in new[] { model, loaded })
        {
            string exported = RepoPaths.NewTempFolder();
            VaeExporter.Export(m, exported);
            using var vae = VaeModel.Load(exported);
            Assert.Equal(fitted, vae.Info.Normalization);
            Assert.Equal(fitted.Describe(), vae.Info.PixelScaling);
        }

        // saved again without one (a model for data built by hand): the stale file goes
        model.InputNormalization = null;
        Checkpoint.Save(model, Path.Combine(run, Checkpoint.LastFolder));
        Assert.Null(Checkpoint.ReadNormalization(Path.Combine(run, Checkpoint.LastFolder)));
    }

    [Fact]
    public void Test_data_must_be_normalised_with_statistics_fitted_on_the_training_data_but_may_have_its_own_scale()
    {
        Dataset raw = TinyVae.Data(32);
        InputNormalization fitted = Normalizing.Fit(NormalizationKind.MinMax, raw.Features, raw.SampleSize);
        var train = new Dataset(fitted.Apply(raw.Features, raw.SampleSize), raw.SampleShape) { Normalization = fitted };
        var ownStatistics = new Dataset(raw.Features, raw.SampleShape) { Normalization = Normalizing.Fit(NormalizationKind.MinMax, raw.Features[..(12 * 8)], 12) };
        using var model = new MlpVae(TinyVae.Config with { Likelihood = Likelihood.Gaussian });
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions { Epochs = 1 }).Fit(train, ownStatistics));
        Assert.StartsWith("the test data was normalised as (x − min) / (max − min) per value (12 values, from the training data), not with the statistics fitted on the training data ((x − min) / (max − min) per value (12 values, from the training data)); read the test set with DataOptions.Normalization", e.Message);

        // a plain scale belongs to the raw form of each file: values already in [0, 1] (÷ 1) test against bytes ÷ 255
        var unitValues = new Dataset(raw.Features, raw.SampleShape) { Normalization = InputNormalization.Scale(1f) };
        var bytes = new Dataset(raw.Features, raw.SampleShape) { Normalization = InputNormalization.Scale(255f) };
        Assert.Single(new Trainer(model, new TrainOptions { Epochs = 1 }).Fit(unitValues, bytes));
    }

    private static string WriteCsv(string text)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "d.csv");
        File.WriteAllText(path, text);
        return path;
    }
}
