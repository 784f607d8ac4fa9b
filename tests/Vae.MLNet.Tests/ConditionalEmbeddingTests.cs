using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.Inference.Tests;

namespace Vae.MLNet.Tests;

/// <summary>
/// The ML.NET step on a conditional model (a hand-written linear pair: 4 inputs, 3 classes, 2 latent dims): each row's
/// class index comes from <see cref="VaeEmbeddingOptions.LabelColumnName"/>, and the output equals
/// <see cref="VaeModel"/>'s with the same labels, for scans and for prediction engines, for every numeric label type.
/// </summary>
public class ConditionalEmbeddingTests
{
    private const int D = 4, C = 3, L = 2;
    private static readonly float[] Wm = Weights((D + C) * L, 1), Wl = Weights((D + C) * L, 2), V = Weights((L + C) * D, 3);
    private static readonly Lazy<string> Pair = new(() => TinyOnnx.WriteConditionalPair(D, C, L, Wm, Wl, V, probsSize: D));

    private static readonly float[][] X = [[0.1f, 0.9f, 0.3f, 0.5f], [0.7f, 0.2f, 0.0f, 1.0f], [0.4f, 0.4f, 0.6f, 0.3f], [0.8f, 0.1f, 0.5f, 0.9f]];
    private static readonly int[] Labels = [2, 0, 1, 2];

    private static float[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    public sealed class Row
    {
        [VectorType(D)] public float[] X { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class Output
    {
        public float[] Embedding { get; set; } = [];
    }

    private static IDataView Data(MLContext ml) =>
        ml.Data.LoadFromEnumerable(X.Zip(Labels, (x, label) => new Row { X = x, Label = label }));

    private static VaeEmbeddingOptions Options(VaeEmbeddingKind kind = VaeEmbeddingKind.Mean, string? label = "Label", int batchSize = 256) => new()
    {
        OutputColumnName = "Embedding", InputColumnName = "X", ModelPath = Pair.Value, LabelColumnName = label, Kind = kind, BatchSize = batchSize,
    };

    [Theory]
    [InlineData(VaeEmbeddingKind.Mean, 256)]
    [InlineData(VaeEmbeddingKind.Mean, 3)]         // a batch boundary inside the data
    [InlineData(VaeEmbeddingKind.MeanAndLogVar, 256)]
    [InlineData(VaeEmbeddingKind.ReconstructionError, 2)]
    public void Scan_equals_the_library_with_each_rows_label(VaeEmbeddingKind kind, int batchSize)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Data(ml);
        using VaeEmbeddingTransformer step = ml.Transforms.VaeEmbedding(Options(kind, batchSize: batchSize)).Fit(data);
        float[][] actual = TestData.Column(step.Transform(data), "Embedding");

        using var vae = VaeModel.Load(Pair.Value);
        float[] x = X.SelectMany(r => r).ToArray();
        var (mean, logvar) = vae.Encode(x, Labels);
        float[][] expected = kind switch
        {
            VaeEmbeddingKind.Mean => mean.Chunk(L).ToArray(),
            VaeEmbeddingKind.MeanAndLogVar => mean.Chunk(L).Zip(logvar.Chunk(L), (m, v) => m.Concat(v).ToArray()).ToArray(),
            _ => vae.ReconstructionError(x, Labels).Select(e => new[] { e }).ToArray(),
        };
        Assert.Equal(expected, actual);
        // The label matters: the same pixels with other classes give other codes.
        Assert.NotEqual(vae.Encode(x, [0, 1, 2, 0]).Mean.Chunk(L).ToArray(), vae.Encode(x, Labels).Mean.Chunk(L).ToArray());
    }

    [Fact]
    public void Prediction_engine_reads_the_label_of_each_row()
    {
        var ml = new MLContext(seed: 1);
        using VaeEmbeddingTransformer step = ml.Transforms.VaeEmbedding(Options()).Fit(Data(ml));
        var engine = ml.Model.CreatePredictionEngine<Row, Output>(step);
        using var vae = VaeModel.Load(Pair.Value);
        for (int i = 0; i < X.Length; i++)
            Assert.Equal(vae.Encode(X[i], [Labels[i]]).Mean, engine.Predict(new Row { X = X[i], Label = Labels[i] }).Embedding);
    }

    public sealed class IntRow
    {
        [VectorType(D)] public float[] X { get; set; } = [];
        public int Class { get; set; }
    }

    public sealed class LongRow
    {
        [VectorType(D)] public float[] X { get; set; } = [];
        public long Class { get; set; }
    }

    [Fact]
    public void Int32_and_int64_label_columns_work_like_single()
    {
        var ml = new MLContext(seed: 1);
        using var vae = VaeModel.Load(Pair.Value);
        float[][] expected = vae.Encode(X.SelectMany(r => r).ToArray(), Labels).Mean.Chunk(L).ToArray();
        foreach (IDataView data in new[]
        {
            ml.Data.LoadFromEnumerable(X.Zip(Labels, (x, c) => new IntRow { X = x, Class = c })),
            ml.Data.LoadFromEnumerable(X.Zip(Labels, (x, c) => new LongRow { X = x, Class = c })),
        })
        {
            using VaeEmbeddingTransformer step = ml.Transforms.VaeEmbedding(Options(label: "Class")).Fit(data);
            Assert.Equal(expected, TestData.Column(step.Transform(data), "Embedding"));
        }
    }

    [Fact]
    public void A_missing_label_column_setting_or_column_and_a_key_column_are_clear_errors()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Data(ml);
        var noSetting = Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(Options(label: null)));
        Assert.Contains("the model is conditional (3 classes): set LabelColumnName", noSetting.Message);

        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.VaeEmbedding(Options(label: "Class")).Fit(data));
        Assert.Contains("Label column 'Class' not found", missing.Message);
        Assert.Contains("Columns present: X, Label", missing.Message);

        IEstimator<ITransformer> keyed = ml.Transforms.Conversion.MapValueToKey("Key", "Label");
        IDataView withKey = keyed.Fit(data).Transform(data);
        var key = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.VaeEmbedding(Options(label: "Key")).Fit(withKey));
        Assert.Contains("Label column 'Key' is a key", key.Message);
        var keyShape = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.VaeEmbedding(Options(label: "Key")).GetOutputSchema(TestData.SchemaShapeOf(withKey)));
        Assert.Contains("Label column 'Key' is a key", keyShape.Message);
    }

    [Fact]
    public void A_label_outside_the_classes_names_the_row_and_an_unconditional_model_refuses_a_label_column()
    {
        var ml = new MLContext(seed: 1);
        IDataView bad = ml.Data.LoadFromEnumerable(new[] { new Row { X = X[0], Label = 1 }, new Row { X = X[1], Label = 3 } });
        using VaeEmbeddingTransformer step = ml.Transforms.VaeEmbedding(Options()).Fit(bad);
        var error = Assert.Throws<InvalidOperationException>(() => TestData.Column(step.Transform(bad), "Embedding"));
        Assert.Equal("row 1: label column 'Label' holds 3; expected a class index from 0 to 2.", error.Message);

        var unconditional = Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Pixels", ModelPath = TestData.ModelPath, LabelColumnName = "Label",
        }));
        Assert.StartsWith("LabelColumnName is 'Label' but the model is unconditional (classes 0); leave it null.", unconditional.Message);
    }

    [Theory]
    [InlineData(VaeEmbeddingKind.Mean)]
    [InlineData(VaeEmbeddingKind.MeanAndLogVar)]
    public void A_saved_conditional_step_reloads_without_this_library_and_gives_the_same_embeddings(VaeEmbeddingKind kind)
    {
        var ml = new MLContext(seed: 1);
        foreach (IDataView data in new[]
        {
            Data(ml),
            ml.Data.LoadFromEnumerable(X.Zip(Labels, (x, c) => new IntRow { X = x, Class = c })),
        })
        {
            string label = data.Schema.GetColumnOrNull("Label") is null ? "Class" : "Label";
            using VaeEmbeddingTransformer step = ml.Transforms.VaeEmbedding(Options(kind, label: label)).Fit(data);
            float[][] expected = TestData.Column(step.Transform(data), "Embedding");

            var saved = new MemoryStream();
            ml.Model.Save(step, data.Schema, saved);
            saved.Position = 0;
            ITransformer loaded = new MLContext(seed: 2).Model.Load(saved, out _);
            IDataView reloaded = loaded.Transform(data);
            Assert.Equal(step.GetOutputSchema(data.Schema)["Embedding"].Type, reloaded.Schema["Embedding"].Type);
            Assert.Null(reloaded.Schema.GetColumnOrNull("y"));   // temporaries dropped
            float[][] actual = TestData.Column(reloaded, "Embedding");
            Assert.Equal(expected.Length, actual.Length);
            for (int r = 0; r < expected.Length; r++)
                Assert.All(expected[r].Zip(actual[r]), p => Assert.InRange(MathF.Abs(p.First - p.Second), 0f, 1e-5f));
            (loaded as IDisposable)?.Dispose();
        }
    }
}
