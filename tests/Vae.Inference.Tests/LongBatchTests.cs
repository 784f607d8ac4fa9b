namespace Vae.Inference.Tests;

/// <summary>Batches longer than <see cref="VaeModel.RowsPerRun"/> run in pieces: the results are those of separate calls.</summary>
public class LongBatchTests
{
    private const int Count = 2 * VaeModel.RowsPerRun + 437;

    private static float[] Inputs()
    {
        var random = new Random(5);
        return Enumerable.Range(0, Count * 784).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Fact]
    public void Encode_and_decode_of_any_length_equal_calls_of_at_most_rows_per_run()
    {
        using VaeModel vae = ReferenceModel.Load();
        float[] x = Inputs();
        var (mean, logvar) = vae.Encode(x);
        float[] decoded = vae.Decode(mean);
        for (int start = 0; start < Count; start += VaeModel.RowsPerRun)
        {
            int n = Math.Min(VaeModel.RowsPerRun, Count - start);
            var (m, l) = vae.Encode(x.AsSpan(start * 784, n * 784).ToArray());
            Assert.Equal(m, mean.AsSpan(start * vae.LatentSize, n * vae.LatentSize).ToArray());
            Assert.Equal(l, logvar.AsSpan(start * vae.LatentSize, n * vae.LatentSize).ToArray());
            Assert.Equal(vae.Decode(m), decoded.AsSpan(start * 784, n * 784).ToArray());
        }
    }

    [Fact]
    public void Scores_of_any_length_draw_each_run_from_the_seed_plus_its_first_index()
    {
        using VaeModel vae = ReferenceModel.Load();
        float[] x = Inputs();
        AnomalyScore[] scores = vae.ScoreAnomalies(x, samples: 3, seed: 11);
        for (int start = 0; start < Count; start += VaeModel.RowsPerRun)
        {
            int n = Math.Min(VaeModel.RowsPerRun, Count - start);
            Assert.Equal(vae.ScoreAnomalies(x.AsSpan(start * 784, n * 784).ToArray(), samples: 3, seed: 11 + start), scores.AsSpan(start, n).ToArray());
        }
        // the runs draw different z: the same sample scored in another run position gets other draws
        Assert.NotEqual(vae.ScoreAnomalies(x.AsSpan(VaeModel.RowsPerRun * 784, 784).ToArray(), samples: 3, seed: 11).Single(), scores[VaeModel.RowsPerRun]);
    }
}
