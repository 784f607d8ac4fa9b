namespace Vae.Inference.Tests;

/// <summary>Every kind of bad input gives a typed exception saying what was expected and what was found.</summary>
public class BadInputTests
{
    private static readonly VaeModel Model = ReferenceModel.Load();
    private static float[] Digit => ReferenceModel.Data.X[0];

    [Fact]
    public void Wrong_length_names_the_argument_and_the_expected_multiple()
    {
        var e = Assert.Throws<ArgumentException>(() => Model.Encode(new float[785]));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("785", e.Message);
        Assert.Contains("multiple of 784", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.Decode(new float[7]));
        Assert.Contains("multiple of 8", e.Message);
    }

    [Fact]
    public void Output_spans_of_the_wrong_size_are_rejected_with_expected_and_actual()
    {
        var e = Assert.Throws<ArgumentException>(() => Model.Encode(Digit, new float[8], new float[9]));
        Assert.Equal("logvar", e.ParamName);
        Assert.Contains("is 9, expected 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.Decode(new float[16], new float[784]));
        Assert.Contains("expected 1568", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.ScoreAnomalies(Digit, new AnomalyScore[2]));
        Assert.Equal("scores", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Model.ReconstructionError(Digit, new float[3]));
        Assert.Equal("errors", e.ParamName);
        Assert.Contains("is 3, expected 1", e.Message);
    }

    [Fact]
    public void Batch_of_zero_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Model.Encode([]));
        Assert.Contains("batch of 0", e.Message);
        Assert.Throws<ArgumentException>(() => Model.Generate(0));
        Assert.Throws<ArgumentException>(() => Model.Reconstruct(ReadOnlySpan<float>.Empty, Span<float>.Empty));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_values_are_rejected_with_the_index_of_the_first_one(float bad)
    {
        float[] x = new float[3 * 784];
        x[1000] = bad;
        x[2000] = bad;
        var e = Assert.Throws<ArgumentException>(() => Model.Encode(x));
        Assert.Contains("x[1000]", e.Message);
        float[] z = new float[8];
        z[5] = bad;
        e = Assert.Throws<ArgumentException>(() => Model.Decode(z));
        Assert.Contains("z[5]", e.Message);
    }

    [Fact]
    public void Non_finite_values_pass_when_the_option_allows_them()
    {
        using var model = ReferenceModel.Load(new VaeSessionOptions { AllowNonFinite = true });
        float[] x = (float[])Digit.Clone();
        x[3] = float.NaN;
        var (mean, _) = model.Encode(x);
        Assert.Contains(mean, float.IsNaN);
    }

    [Fact]
    public void Vectorised_non_finite_search_finds_every_position()
    {
        // Short spans (vector and scalar tails) and spans past the 64-vector blocks of the fast pass.
        int[] lengths = [.. Enumerable.Range(1, 70), 511, 512, 513, 1023, 1024, 1025, 2100];
        float[] bad = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        foreach (int length in lengths)
            for (int at = 0; at < length; at++)
            {
                var values = new float[length];
                values.AsSpan().Fill(1.5f);
                values[at] = bad[at % 3];
                if (at + 700 < length) values[at + 700] = float.NaN; // a later bad value must not hide the first
                Assert.Equal(at, InputChecks.IndexOfNonFinite(values));
            }
        Assert.Equal(-1, InputChecks.IndexOfNonFinite(new float[100]));
    }

    [Fact]
    public void Mask_of_the_wrong_size_and_bad_counts_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Model.Impute(Digit, new bool[783]));
        Assert.Equal("observed", e.ParamName);
        Assert.Contains("is 783, expected 784", e.Message);
        Assert.Throws<ArgumentException>(() => Model.Impute(Digit, new bool[784], iterations: 0));
        Assert.Throws<ArgumentException>(() => Model.ScoreAnomalies(Digit, samples: 0));
        Assert.Throws<ArgumentException>(() => Model.Interpolate(Digit, Digit, steps: 1));
        Assert.Throws<ArgumentException>(() => Model.Interpolate(Digit, new float[2 * 784], steps: 3));
        Assert.Throws<ArgumentException>(() => Model.Generate(1, temperature: float.NaN));
    }

    [Fact]
    public void Batches_whose_output_exceeds_the_largest_array_are_argument_errors_not_overflows()
    {
        // 3,000,000 codes of 8 decode to 2,352,000,000 values: more than one array holds, and more than int arithmetic
        // holds (it wrapped to −1,942,967,296: OverflowException from the array form, a negative expected length from the span form).
        float[] codes = new float[3_000_000 * 8];
        var e = Assert.Throws<ArgumentException>(() => Model.Decode(codes));
        Assert.Equal("z", e.ParamName);
        Assert.Contains("batch × input size = 3000000 × 784 = 2352000000 values, more than the largest .NET array", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.Decode(codes, new float[784]));
        Assert.Equal("z", e.ParamName);
        Assert.DoesNotContain("-1942967296", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.Generate(int.MaxValue / 784 + 1));
        Assert.Equal("count", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Model.Interpolate(Digit, Digit, steps: int.MaxValue));
        Assert.Equal("steps", e.ParamName);
        // a scratch of 4 × (2 × samples + 1) log-weights once: ArrayPool's ArgumentOutOfRangeException naming nothing
        e = Assert.Throws<ArgumentException>(() => Model.ScoreAnomalies(new float[4 * 784], samples: int.MaxValue / 4 + 1));
        Assert.Equal("samples", e.ParamName);
        // LatentPath on its own: steps × code length wrapped to "expected 0"
        e = Assert.Throws<ArgumentException>(() => LatentPath.Fill(new float[8], new float[8], int.MaxValue / 4, new float[16], Interpolation.Linear));
        Assert.Equal("steps", e.ParamName);
    }

    [Fact]
    public void Anomaly_sample_counts_beyond_the_documented_maximum_are_refused_before_any_work()
    {
        // One over the maximum ran 100,001 decoder passes; int.MaxValue / 4 at batch 1 rented 2^30 log-weights (8.6 GB)
        // and then ran a decoder pass per draw, since only the array limit was checked.
        var e = Assert.Throws<ArgumentException>(() => Model.ScoreAnomalies(Digit, samples: VaeModel.MaxAnomalySamples + 1));
        Assert.Equal("samples", e.ParamName);
        Assert.Contains("samples is 100001; expected 1 to 100000", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.ScoreAnomalies(Digit, new AnomalyScore[1], samples: int.MaxValue / 4));
        Assert.Contains($"samples is {int.MaxValue / 4}; expected 1 to 100000", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model.ScoreAnomalies(Digit, samples: -3));
        Assert.Contains("samples is -3; expected 1 to 100000", e.Message);
    }

    [Fact]
    public void Anomaly_scoring_memory_does_not_grow_with_the_sample_count()
    {
        // The draws are accumulated as they are made: after calls with 1,000 draws have rented the scratch (and warmed up
        // the JIT: one cold call left 3 KB of tier-up allocations on a fresh clone), a call with 4,000 draws needs nothing
        // more (it rented 2 × 4,000 + 1 log-weights, a new 64 KB array, before).
        using var model = ReferenceModel.Load();
        var scores = new AnomalyScore[1];
        for (int i = 0; i < 3; i++) model.ScoreAnomalies(Digit, scores, samples: 1_000, seed: 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        model.ScoreAnomalies(Digit, scores, samples: 4_000, seed: 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(scores[0].NegativeLogLikelihood) && scores[0].NegativeLogLikelihood <= scores[0].NegativeElbo + 1,
            $"−log p(x) estimate {scores[0].NegativeLogLikelihood} should be finite and not far above −ELBO {scores[0].NegativeElbo}");
    }

    [Fact]
    public void Observed_non_finite_values_are_rejected_but_missing_ones_are_ignored()
    {
        float[] x = (float[])Digit.Clone();
        x[10] = float.NaN;
        bool[] observed = Enumerable.Repeat(true, 784).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Model.Impute(x, observed));
        Assert.Contains("x[10]", e.Message);
        observed[10] = false;
        Assert.True(float.IsFinite(Model.Impute(x, observed)[10]));
    }

    [Fact]
    public void Labels_on_an_unconditional_model_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Model.Encode(Digit, [3]));
        Assert.Contains("not conditional", e.Message);
    }

    [Fact]
    public void Use_after_dispose_throws_object_disposed_and_dispose_is_idempotent()
    {
        var model = ReferenceModel.Load();
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Encode(Digit));
        Assert.Throws<ObjectDisposedException>(() => model.Decode(new float[8]));
        Assert.Throws<ObjectDisposedException>(() => model.Generate(1));
        Assert.Throws<ObjectDisposedException>(() => model.ScoreAnomalies(Digit));
        Assert.Throws<ObjectDisposedException>(() => model.ReconstructionError(Digit));
    }

    [Fact]
    public void Null_arrays_are_argument_null()
    {
        Assert.Throws<ArgumentNullException>(() => Model.Encode(null!));
        Assert.Throws<ArgumentNullException>(() => Model.Impute(Digit, null!));
    }
}
