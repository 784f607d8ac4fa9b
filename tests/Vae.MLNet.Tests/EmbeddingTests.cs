using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet.Tests;

/// <summary>The transformer's numbers against Vae.Inference's own Encode/Decode on the same rows, for each output kind.</summary>
public class EmbeddingTests
{
    private const int Rows = 300;
    private readonly MLContext ml = new(seed: 1);

    private (VaeEmbeddingTransformer Fitted, IDataView Output) Run(VaeEmbeddingKind kind, int batchSize, int rows = Rows, int seed = 0)
    {
        IDataView data = TestData.Load(ml, rows);
        VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Pixels", ModelPath = TestData.ModelPath, Kind = kind, BatchSize = batchSize, Seed = seed,
        }).Fit(data);
        return (fitted, fitted.Transform(data));
    }

    /// <summary>Encodes <paramref name="rows"/> in chunks of <paramref name="batch"/> rows, as the cursor does.</summary>
    private static (float[] Mean, float[] Logvar) EncodeInChunks(VaeModel model, DigitRow[] rows, int batch)
    {
        var mean = new List<float>();
        var logvar = new List<float>();
        foreach (DigitRow[] chunk in rows.Chunk(batch))
        {
            var (m, l) = model.Encode(TestData.Flatten(chunk));
            mean.AddRange(m);
            logvar.AddRange(l);
        }
        return (mean.ToArray(), logvar.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(256)]
    public void Mean_equals_Encode_on_the_same_batches_exactly_and_single_rows_within_1e5(int batchSize)
    {
        var (fitted, output) = Run(VaeEmbeddingKind.Mean, batchSize);
        using (fitted)
        {
            float[] actual = TestData.Column(output, "Embedding").SelectMany(r => r).ToArray();
            Assert.Equal(Rows * fitted.Model.LatentSize, actual.Length);
            Assert.Equal(EncodeInChunks(fitted.Model, TestData.MnistTest(Rows), batchSize).Mean, actual);
            float[] singleRows = EncodeInChunks(fitted.Model, TestData.MnistTest(Rows), 1).Mean;
            for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - singleRows[i]) <= 1e-5f, $"value {i}: {actual[i]} vs {singleRows[i]}");
        }
    }

    [Fact]
    public void A_non_finite_pixel_is_reported_with_its_row_and_column_in_scans_and_predictions()
    {
        // The model's own check named an index into the flattened batch ("x[1575] is NaN", parameter x): row 2 of a
        // batch, pixel 7, which an ML.NET user had to work out.
        DigitRow[] rows = TestData.MnistTest(4).Select(r => new DigitRow { Pixels = (float[])r.Pixels.Clone(), Label = r.Label }).ToArray();
        rows[2].Pixels[7] = float.NaN;
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        using VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Pixels", ModelPath = TestData.ModelPath, BatchSize = 4,
        }).Fit(data);
        var e = Assert.Throws<InvalidOperationException>(() => TestData.Column(fitted.Transform(data), "Embedding"));
        Assert.Contains("row 2: input column 'Pixels' holds NaN at value 7", e.Message);
        var engine = ml.Model.CreatePredictionEngine<DigitRow, EmbeddingRow>(fitted);
        e = Assert.Throws<InvalidOperationException>(() => engine.Predict(rows[2]));
        Assert.Contains("input column 'Pixels' holds NaN at value 7", e.Message);

        using VaeEmbeddingTransformer allowing = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Pixels", ModelPath = TestData.ModelPath,
            SessionOptions = new VaeSessionOptions { AllowNonFinite = true },
        }).Fit(data);
        Assert.Equal(4, TestData.Column(allowing.Transform(data), "Embedding").Length);
    }

    [Fact]
    public void MeanAndLogVar_is_mean_then_logvar_per_row()
    {
        var (fitted, output) = Run(VaeEmbeddingKind.MeanAndLogVar, 50);
        using (fitted)
        {
            int latent = fitted.Model.LatentSize;
            float[][] actual = TestData.Column(output, "Embedding");
            var (mean, logvar) = EncodeInChunks(fitted.Model, TestData.MnistTest(Rows), 50);
            for (int r = 0; r < Rows; r++)
            {
                Assert.Equal(2 * latent, actual[r].Length);
                Assert.Equal(mean.AsSpan(r * latent, latent).ToArray(), actual[r][..latent]);
                Assert.Equal(logvar.AsSpan(r * latent, latent).ToArray(), actual[r][latent..]);
            }
        }
    }

    [Fact]
    public void Sample_is_reparameterised_standard_normal_noise_that_depends_on_seed_and_row_not_on_batching()
    {
        var (fitted, output) = Run(VaeEmbeddingKind.Sample, 64);
        var (other, batchedDifferently) = Run(VaeEmbeddingKind.Sample, 7);
        var (reseeded, otherSeed) = Run(VaeEmbeddingKind.Sample, 64, seed: 5);
        using (fitted) using (other) using (reseeded)
        {
            int latent = fitted.Model.LatentSize;
            float[] z = TestData.Column(output, "Embedding").SelectMany(r => r).ToArray();
            Assert.Equal(z, TestData.Column(output, "Embedding").SelectMany(r => r).ToArray()); // a second scan
            Assert.Equal(z, TestData.Column(batchedDifferently, "Embedding").SelectMany(r => r).ToArray());
            Assert.NotEqual(z, TestData.Column(otherSeed, "Embedding").SelectMany(r => r).ToArray());

            // ε = (z − μ) / σ must look like N(0, 1): 2,400 draws, mean within 4 standard errors of 0, variance within 10 %.
            var (mean, logvar) = EncodeInChunks(fitted.Model, TestData.MnistTest(Rows), 1);
            double[] eps = z.Select((v, i) => (v - mean[i]) / Math.Exp(0.5 * logvar[i])).ToArray();
            double m = eps.Average(), variance = eps.Select(e => (e - m) * (e - m)).Average();
            Assert.InRange(m, -4 / Math.Sqrt(eps.Length), 4 / Math.Sqrt(eps.Length));
            Assert.InRange(variance, 0.9, 1.1);
            Assert.Equal(Rows * latent, eps.Length);
        }
    }

    [Fact]
    public void ReconstructionError_matches_decode_of_the_mean_and_flags_noise()
    {
        var (fitted, output) = Run(VaeEmbeddingKind.ReconstructionError, 32, rows: 100);
        using (fitted)
        {
            float[][] errors = TestData.Column(output, "Embedding");
            Assert.All(errors, e => Assert.Single(e));
            DigitRow[] rows = TestData.MnistTest(100);
            float[] reconstruction = fitted.Model.Decode(EncodeInChunks(fitted.Model, rows, 100).Mean);
            for (int r = 0; r < rows.Length; r++)
            {
                double bce = 0;
                for (int i = 0; i < 784; i++)
                {
                    double p = Math.Clamp(reconstruction[r * 784 + i], 1e-7, 1 - 1e-7), x = rows[r].Pixels[i];
                    bce -= x * Math.Log(p) + (1 - x) * Math.Log(1 - p);
                }
                Assert.True(Math.Abs(errors[r][0] - bce) <= 1e-3 * bce, $"row {r}: {errors[r][0]} vs {bce}");
            }

            // Uniform noise images reconstruct far worse than digits.
            var random = new Random(3);
            var noise = Enumerable.Range(0, 20).Select(_ => new DigitRow { Pixels = Enumerable.Range(0, 784).Select(_ => random.NextSingle()).ToArray() }).ToArray();
            float[][] noiseErrors = TestData.Column(fitted.Transform(ml.Data.LoadFromEnumerable(noise)), "Embedding");
            Assert.True(noiseErrors.Min(e => e[0]) > errors.Max(e => e[0]), "noise should score above every digit");
        }
    }

    [Fact]
    public void Pass_through_columns_stay_aligned_with_their_rows_across_batches_and_cursor_sets()
    {
        var (fitted, output) = Run(VaeEmbeddingKind.Mean, 16, rows: 100);
        using (fitted)
        {
            Assert.Equal(TestData.MnistTest(100).Select(r => r.Label), output.GetColumn<float>("Label"));
            Assert.Equal(TestData.MnistTest(100).Select(r => r.Pixels), TestData.Column(output, "Pixels"));

            // Cursor sets: each row's embedding is the same as in a sequential scan, whichever cursor serves it.
            float[][] sequential = TestData.Column(output, "Embedding");
            DataViewSchema.Column label = output.Schema["Label"], embedding = output.Schema["Embedding"];
            DataViewRowCursor[] cursors = output.GetRowCursorSet([label, embedding], 3);
            int seen = 0;
            foreach (DataViewRowCursor cursor in cursors)
            {
                using (cursor)
                {
                    var getLabel = cursor.GetGetter<float>(label);
                    var getEmbedding = cursor.GetGetter<VBuffer<float>>(embedding);
                    var getId = cursor.GetIdGetter();
                    float l = 0;
                    VBuffer<float> e = default;
                    DataViewRowId id = default;
                    while (cursor.MoveNext())
                    {
                        getLabel(ref l);
                        getEmbedding(ref e);
                        getId(ref id);
                        Assert.Equal(TestData.MnistTest(100)[(int)id.Low].Label, l);
                        Assert.Equal(sequential[(int)id.Low], e.DenseValues().ToArray());
                        seen++;
                    }
                }
            }
            Assert.Equal(100, seen);
        }
    }

    [Fact]
    public void A_shared_loaded_model_is_not_disposed_by_the_transformer()
    {
        using VaeModel model = VaeModel.Load(TestData.ModelPath);
        IDataView data = TestData.Load(ml, 10);
        var estimator = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions { OutputColumnName = "Embedding", InputColumnName = "Pixels", Model = model });
        float[][] first;
        using (VaeEmbeddingTransformer fitted = estimator.Fit(data)) first = TestData.Column(fitted.Transform(data), "Embedding");
        Assert.Equal(model.Encode(TestData.Flatten(TestData.MnistTest(10))).Mean, first.SelectMany(r => r).ToArray());
    }
}
