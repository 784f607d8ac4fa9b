using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Missing;

namespace Vae.Training.Tests;

/// <summary>Missing values: the masks of --missing / --mask, CSV cells read as missing, and the imputation score.</summary>
public class MissingValuesTests
{
    private static string WriteCsv(string text)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "gaps.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("from-data", MaskKind.FromData, 0)]
    [InlineData("allow", MaskKind.FromData, 0)]
    [InlineData("bottom-half", MaskKind.BottomHalf, 0)]
    [InlineData(" Random:0.25 ", MaskKind.Random, 0.25)]
    public void Masks_are_read_as_written(string text, MaskKind kind, double probability)
    {
        MissingMask mask = MissingMask.Parse(text, "--mask");
        Assert.Equal(new MissingMask(kind, probability), mask);
        Assert.Equal(mask, MissingMask.Parse(mask.ToString(), "--mask"));
    }

    [Theory]
    [InlineData("random:1", "random:P needs a probability P with 0 < P < 1")]
    [InlineData("random:0", "random:P needs a probability P with 0 < P < 1")]
    [InlineData("random:half", "random:P needs a probability P")]
    [InlineData("top-half", "expected from-data (or allow), bottom-half or random:P")]
    public void Bad_masks_are_refused_naming_the_option(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => MissingMask.Parse(text, "--mask"));
        Assert.Contains($"--mask is '{text}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_bottom_half_is_the_lower_rows_of_each_channel_and_the_last_half_of_a_flat_sample()
    {
        // [2 channels, 4 rows, 2 columns]: rows 2 and 3 of each channel
        Assert.Equal([false, false, false, false, true, true, true, true, false, false, false, false, true, true, true, true],
                     MissingMask.BottomHalfOf([2, 4, 2]));
        // 5 values in a column: rows 2, 3, 4
        Assert.Equal([false, false, true, true, true], MissingMask.BottomHalfOf([5]));
    }

    [Fact]
    public void Observed_hides_by_rule_keeps_data_gaps_missing_and_refuses_a_sample_with_nothing_left()
    {
        var data = new Dataset([0.1f, float.NaN, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f], [4]);
        Assert.Equal([true, false, true, true, true, true, true, true], MissingMask.FromData.Observed(data));
        Assert.Equal([true, false, false, false, true, true, false, false], new MissingMask(MaskKind.BottomHalf).Observed(data));

        var many = new Dataset(Enumerable.Repeat(0.5f, 20_000).ToArray(), [100]);
        bool[] random = new MissingMask(MaskKind.Random, 0.3).Observed(many, seed: 4);
        Assert.InRange(random.Count(o => !o) / 20_000.0, 0.28, 0.32);
        Assert.Equal(random, new MissingMask(MaskKind.Random, 0.3).Observed(many, seed: 4));
        Assert.NotEqual(random, new MissingMask(MaskKind.Random, 0.3).Observed(many, seed: 5));

        var gappy = new Dataset([float.NaN, 0.2f, float.NaN, float.NaN], [2]);
        var e = Assert.Throws<ArgumentException>(() => new MissingMask(MaskKind.BottomHalf).Observed(gappy));
        Assert.Contains("sample 0 has no observed value under the mask bottom-half", e.Message);
    }

    [Fact]
    public void Csv_reads_empty_and_nan_cells_as_missing_only_when_allowed()
    {
        string path = WriteCsv("a,b,c\n1,,3\nNaN,5,6\n7,8,nan\n");
        Dataset data = DataSource.Load(path, new DataOptions { CsvHeader = true, AllowMissing = true, Scale = 1 });
        Assert.Equal([1f, float.NaN, 3f, float.NaN, 5f, 6f, 7f, 8f, float.NaN], data.Features);

        var refused = Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions { CsvHeader = true, Scale = 1 }));
        Assert.Contains("row 2, column 2: '' is not a number", refused.Message);

        string empty = WriteCsv("1,2\n,\n");
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(empty, new DataOptions { AllowMissing = true }));
        Assert.Contains("row 2: every value is missing", e.Message);
    }

    [Fact]
    public void Statistics_and_the_automatic_scale_ignore_missing_values()
    {
        // column a: 1, 7 observed → mean 4, population std 3; column b: 5, 8 → 6.5, 1.5; column c: 3, 6 → 4.5, 1.5
        string path = WriteCsv("1,,3\nNaN,5,6\n7,8,nan\n");
        Dataset standard = DataSource.Load(path, new DataOptions { AllowMissing = true, Normalize = NormalizationKind.Standard });
        Assert.Equal([4f, 6.5f, 4.5f], standard.Normalization!.Offset);
        Assert.Equal([3f, 1.5f, 1.5f], standard.Normalization.Divisor);
        Assert.Equal(-1f, standard.Features[0]);
        Assert.True(float.IsNaN(standard.Features[1]));

        // the largest observed value (8) exceeds 1: bytes, ÷ 255
        Dataset scaled = DataSource.Load(path, new DataOptions { AllowMissing = true });
        Assert.Equal(1f / 255f, scaled.Features[0]);
    }

    [Fact]
    public void The_imputation_score_compares_with_the_column_mean_of_the_true_values()
    {
        // two samples of two values; value 1 of sample 0 hidden (truth 0.2, imputed 0.3), value 0 of sample 1 hidden (truth 0.6, imputed 0.5)
        float[] truth = [0.0f, 0.2f, 0.6f, 0.4f];
        bool[] observed = [true, false, false, true];
        float[] completed = [0.0f, 0.3f, 0.5f, 0.4f];
        ImputationScore score = ImputationScore.Measure(truth, observed, completed, 2);
        // imputed: (0.1² + 0.1²) / 2 = 0.01; column means 0.3 and 0.3: ((0.3 − 0.2)² + (0.3 − 0.6)²) / 2 = 0.05
        Assert.Equal(0.01, score.ImputedMse, 1e-7);
        Assert.Equal(0.05, score.MeanFillMse, 1e-7);
        Assert.Equal(0.8, score.Improvement, 1e-5);
        Assert.Equal(2, score.Hidden);
        Assert.Throws<ArgumentException>(() => ImputationScore.Measure(truth, [true, true, true, true], completed, 2));
    }
}

/// <summary>Mask files beside data that cannot hold gaps (<see cref="MaskFile"/>).</summary>
public class MaskFileTests
{
    private static string Write(string text)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "mask.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Zeros_of_the_mask_become_missing_values()
    {
        var data = new Dataset([0.1f, 0.2f, 0.3f, 0.4f], [2], [1, 0]);
        Dataset masked = MaskFile.Apply(data, Write("1,0\n0,1\n1,1\n"));   // a mask may run longer than limited data
        Assert.Equal([0.1f, float.NaN, float.NaN, 0.4f], masked.Features);
        Assert.Equal([1, 0], masked.Labels!);
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], data.Features);   // the data itself is left alone
    }

    [Fact]
    public void A_mask_of_the_wrong_size_other_flags_or_an_empty_sample_are_refused()
    {
        var data = new Dataset([0.1f, 0.2f, 0.3f, 0.4f], [2]);
        string narrow = Write("1\n1\n");
        Assert.Contains($"mask {narrow} has 2 samples of 1 values; the data has 2 samples of 2", Assert.Throws<ArgumentException>(() => MaskFile.Apply(data, narrow)).Message);
        string shorter = Write("1,1\n");
        Assert.Contains("has 1 samples of 2 values; the data has 2 samples", Assert.Throws<ArgumentException>(() => MaskFile.Apply(data, shorter)).Message);
        Assert.Contains("sample 1, value 0 is 0.5; expected 1 (observed) or 0 (missing)", Assert.Throws<ArgumentException>(() => MaskFile.Apply(data, Write("1,1\n0.5,1\n"))).Message);
        Assert.Contains("leaves sample 0 with no observed value", Assert.Throws<ArgumentException>(() => MaskFile.Apply(data, Write("0,0\n1,1\n"))).Message);
    }
}
