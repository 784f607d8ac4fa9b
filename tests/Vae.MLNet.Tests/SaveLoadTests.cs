using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>mlContext.Model.Save/Load of pipelines holding the VAE step (saved in ML.NET's ONNX transformer format).</summary>
public class SaveLoadTests
{
    private readonly MLContext ml = new(seed: 1);

    private sealed class ClusterRow
    {
        public float[] Embedding { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    [Theory]
    [InlineData(VaeEmbeddingKind.Mean)]
    [InlineData(VaeEmbeddingKind.MeanAndLogVar)]
    public void A_fitted_pipeline_survives_save_and_load_with_the_same_embeddings_and_clusters(VaeEmbeddingKind kind)
    {
        IDataView data = TestData.Load(ml, 300);
        var pipeline = ml.Transforms.CopyColumns("Image", "Pixels")
            .Append(ml.Transforms.VaeEmbedding("Embedding", "Image", TestData.ModelPath, kind))
            .Append(ml.Clustering.Trainers.KMeans("Embedding", numberOfClusters: 5));
        using var fitted = pipeline.Fit(data);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "pipeline.zip");
        ml.Model.Save(fitted, data.Schema, path);

        // A fresh context, as in another process: ML.NET alone reads the file back.
        var other = new MLContext(seed: 2);
        ITransformer loaded = other.Model.Load(path, out DataViewSchema inputSchema);
        using (loaded as IDisposable)
        {
            Assert.Equal(data.Schema.Select(c => c.Name), inputSchema.Select(c => c.Name));
            IDataView before = fitted.Transform(data), after = loaded.Transform(data);
            float[][] expected = SameColumnsAndEmbeddings(before, after);
            Assert.Equal(before.GetColumn<uint>("PredictedLabel"), after.GetColumn<uint>("PredictedLabel"));

            using var engine = other.Model.CreatePredictionEngine<DigitRow, ClusterRow>(loaded);
            ClusterRow prediction = engine.Predict(TestData.MnistTest(1)[0]);
            Assert.Equal(expected[0].Length, prediction.Embedding.Length);
        }
    }

    [Fact]
    public void The_saved_file_holds_the_encoder_so_it_loads_after_the_model_folder_is_gone()
    {
        string folder = RepoPaths.NewTempFolder();
        foreach (string file in Directory.GetFiles(TestData.ModelPath, "*.onnx")) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        IDataView data = TestData.Load(ml, 20);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "pipeline.zip");
        float[][] expected;
        using (var fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", folder).Fit(data))
        {
            expected = TestData.Column(fitted.Transform(data), "Embedding");
            ml.Model.Save(fitted, data.Schema, path);
        }
        Directory.Delete(folder, recursive: true);
        ITransformer loaded = ml.Model.Load(path, out _);
        using (loaded as IDisposable)
        {
            float[][] actual = TestData.Column(loaded.Transform(data), "Embedding");
            Assert.Equal(expected.Length, actual.Length);
            for (int r = 0; r < expected.Length; r++)
                Assert.All(expected[r].Zip(actual[r]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f));
        }
    }

    [Theory]
    [InlineData(VaeEmbeddingKind.Sample)]
    [InlineData(VaeEmbeddingKind.ReconstructionError)]
    public void Kinds_the_ONNX_format_cannot_hold_refuse_to_save_with_a_clear_error(VaeEmbeddingKind kind)
    {
        IDataView data = TestData.Load(ml, 4);
        using var fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath, kind).Fit(data);
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(fitted, data.Schema, Path.Combine(RepoPaths.NewTempFolder(), "p.zip")));
        Assert.StartsWith($"A VAE step of kind {kind} cannot be saved", e.Message);
    }

    [Fact]
    public void A_user_column_named_like_a_temporary_of_the_saved_form_refuses_to_save()
    {
        IDataView data = ml.Transforms.CopyColumns("mean", "Label").Fit(TestData.Load(ml, 4)).Transform(TestData.Load(ml, 4));
        using var fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath).Fit(data);
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(fitted, data.Schema, Path.Combine(RepoPaths.NewTempFolder(), "p.zip")));
        Assert.Contains("'mean'", e.Message);
    }

    [Fact]
    public void An_input_column_named_like_an_encoder_output_refuses_to_save_instead_of_vanishing_after_load()
    {
        // The check skipped the step's input column, but the saved chain overwrites 'mean' with the encoder output and
        // drops it: the reloaded pipeline's output lacked the input column 'mean' that the fitted one kept.
        IDataView data = ml.Transforms.CopyColumns("mean", "Pixels").Fit(TestData.Load(ml, 4)).Transform(TestData.Load(ml, 4));
        using var fitted = ml.Transforms.VaeEmbedding("Embedding", "mean", TestData.ModelPath).Fit(data);
        Assert.NotNull(fitted.Transform(data).Schema.GetColumnOrNull("mean"));
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(fitted, data.Schema, Path.Combine(RepoPaths.NewTempFolder(), "p.zip")));
        Assert.Contains("uses 'mean' as a temporary column", e.Message);
    }

    [Fact]
    public void A_user_column_named_logvar_passes_through_a_mean_step_fitted_saved_and_loaded()
    {
        // A kind-Mean step fetches no logvar, yet saving refused a user 'logvar' column as a clash with a temporary.
        IDataView data = ml.Transforms.CopyColumns("logvar", "Label").Fit(TestData.Load(ml, 20)).Transform(TestData.Load(ml, 20));
        using var fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath, VaeEmbeddingKind.Mean).Fit(data);
        IDataView before = fitted.Transform(data);
        float[] labels = data.GetColumn<float>("Label").ToArray();
        Assert.Equal(labels, before.GetColumn<float>("logvar"));
        string path = Path.Combine(RepoPaths.NewTempFolder(), "p.zip");
        ml.Model.Save(fitted, data.Schema, path);

        ITransformer loaded = new MLContext(seed: 2).Model.Load(path, out _);
        using (loaded as IDisposable)
        {
            IDataView after = loaded.Transform(data);
            Assert.Equal(labels, after.GetColumn<float>("logvar"));
            SameColumnsAndEmbeddings(before, after);
        }

        // where the step does make logvar (MeanAndLogVar) the clash is real and still refused
        using var both = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath, VaeEmbeddingKind.MeanAndLogVar).Fit(data);
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(both, data.Schema, Path.Combine(RepoPaths.NewTempFolder(), "q.zip")));
        Assert.Contains("uses 'logvar' as a temporary column", e.Message);
    }

    /// <summary>Asserts that the reloaded pipeline's output has the same visible columns and embeddings (to 1e-5) as the
    /// fitted one; returns the fitted one's embeddings.</summary>
    private static float[][] SameColumnsAndEmbeddings(IDataView before, IDataView after)
    {
        Assert.Equal(before.Schema.Where(c => !c.IsHidden).Select(c => (c.Name, c.Type.ToString())),
                     after.Schema.Where(c => !c.IsHidden).Select(c => (c.Name, c.Type.ToString())));
        float[][] expected = TestData.Column(before, "Embedding"), actual = TestData.Column(after, "Embedding");
        for (int r = 0; r < expected.Length; r++)
            for (int j = 0; j < expected[r].Length; j++)
                Assert.True(Math.Abs(expected[r][j] - actual[r][j]) <= 1e-5f, $"row {r}, value {j}: {expected[r][j]} vs {actual[r][j]}");
        return expected;
    }
}
