using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.Inference.Tests;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>
/// <see cref="VaeEmbeddingOptions.NormalizeInput"/>: a column of raw values is normalised with the model's recorded
/// normalisation before encoding, so the embeddings equal the library's on the normalised values — when scanning in
/// batches and row by row, and after saving and loading (through a graph of its own); without a recorded normalisation the step refuses.
/// </summary>
public class NormalizedInputTests
{
    private const int D = 3, Latent = 2;

    private static readonly InputNormalization Standard = new(NormalizationKind.Standard, [50_000f, 40f, 0.5f], [15_000f, 12f, 0.25f]);

    private readonly MLContext ml = new(seed: 1);

    public sealed class Row
    {
        [VectorType(D)] public float[] X { get; set; } = [];
    }

    public sealed class Output
    {
        public float[] Embedding { get; set; } = [];
    }

    private static readonly Row[] Rows =
        [new() { X = [52_000f, 31f, 0.5f] }, new() { X = [120_000f, 52f, 0.9f] }, new() { X = [38_250f, 23f, 0.1f] }];

    private static string Pair(InputNormalization? normalization) => TinyOnnx.WriteGaussianPair(D, Latent,
        meanWeights: [0.5f, -1f, 0.25f, 0.75f, 1f, -0.5f], logvarWeights: [0.1f, 0f, 0f, 0.1f, -0.1f, 0.2f],
        decoderWeights: [1f, 0f, 0.5f, 0f, 1f, -0.5f], pixelLogvarWeights: new float[Latent * D], pixelLogvarBias: new float[D],
        normalization is null ? null : new Dictionary<string, string> { [VaeMetadata.InputNormalization] = normalization.ToJson() });

    private VaeEmbeddingOptions Options(string model, bool normalize) =>
        new() { OutputColumnName = "Embedding", InputColumnName = "X", ModelPath = model, NormalizeInput = normalize, BatchSize = 2 };

    [Fact]
    public void Raw_rows_are_encoded_as_the_library_encodes_their_normalised_values()
    {
        string model = Pair(Standard);
        using var vae = VaeModel.Load(model);
        float[] raw = Rows.SelectMany(r => r.X).ToArray();
        var (expected, _) = vae.Encode(Standard.Apply(raw, D));
        var (unnormalised, _) = vae.Encode(raw);
        Assert.NotEqual(expected, unnormalised);

        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        using var fitted = ml.Transforms.VaeEmbedding(Options(model, normalize: true)).Fit(data);
        float[] scanned = TestData.Column(fitted.Transform(data), "Embedding").SelectMany(r => r).ToArray();   // batches of 2 and 1
        Assert.Equal(expected, scanned);

        var engine = ml.Model.CreatePredictionEngine<Row, Output>(fitted);
        for (int r = 0; r < Rows.Length; r++)
            Assert.Equal(expected.AsSpan(r * Latent, Latent).ToArray(), engine.Predict(Rows[r]).Embedding);
        Assert.Equal(Rows[0].X, new[] { 52_000f, 31f, 0.5f });   // the caller's row is not normalised in place

        using var asIs = ml.Transforms.VaeEmbedding(Options(model, normalize: false)).Fit(data);
        Assert.Equal(unnormalised, TestData.Column(asIs.Transform(data), "Embedding").SelectMany(r => r).ToArray());
    }

    [Fact]
    public void A_model_without_a_recorded_normalisation_is_refused()
    {
        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(Options(Pair(null), normalize: true)).Fit(data));
        Assert.StartsWith("NormalizeInput is true but the model records no input normalisation", e.Message);
    }

    [Fact]
    public void A_saved_step_normalises_through_its_own_graph_and_loads_without_the_model_folder()
    {
        string model = Pair(Standard);
        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        string zip = Path.Combine(RepoPaths.NewTempFolder(), "pipeline.zip");
        float[] expected;
        using (var fitted = ml.Transforms.VaeEmbedding(Options(model, normalize: true)).Fit(data))
        {
            expected = TestData.Column(fitted.Transform(data), "Embedding").SelectMany(r => r).ToArray();
            ml.Model.Save(fitted, data.Schema, zip);
        }
        Directory.Delete(model, recursive: true);   // the saved pipeline holds both graphs: encoder and normalisation

        ITransformer loaded = ml.Model.Load(zip, out _);
        using (loaded as IDisposable)
        {
            IDataView output = loaded.Transform(data);
            float[] actual = TestData.Column(output, "Embedding").SelectMany(r => r).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f, $"{p.First} vs {p.Second}"));
            Assert.Equal(Rows.Select(r => r.X), TestData.Column(output, "X"));   // the raw column passes through unchanged
            Assert.Null(output.Schema.GetColumnOrNull(NormalizationGraphInput));   // temporaries dropped
            Assert.Null(output.Schema.GetColumnOrNull("x"));
        }
    }

    [Fact]
    public void A_normalising_step_whose_input_column_is_named_x_refuses_to_save()
    {
        IDataView data = ml.Data.LoadFromEnumerable(Rows.Select(r => new XRow { x = r.X }));
        using var fitted = ml.Transforms.VaeEmbedding(Options(Pair(Standard), normalize: true) with { InputColumnName = "x" }).Fit(data);
        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(fitted, data.Schema, Path.Combine(RepoPaths.NewTempFolder(), "p.zip")));
        Assert.StartsWith("Cannot save the VAE step: with NormalizeInput, the saved form writes the normalised values to a column 'x'", e.Message);
    }

    private const string NormalizationGraphInput = "vae_raw";

    public sealed class XRow
    {
#pragma warning disable IDE1006   // the column is named like the encoder's input on purpose
        [VectorType(D)] public float[] x { get; set; } = [];
#pragma warning restore IDE1006
    }
}
