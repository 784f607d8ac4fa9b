using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet.Tests;

public class SchemaErrorTests
{
    private const string Needs = "the VAE encoder needs a known-size vector of Single with 784 values (Vector<Single, 784>).";
    private readonly MLContext ml = new(seed: 1);

    private sealed class DoubleRow
    {
        [VectorType(784)] public double[] Pixels { get; set; } = new double[784];
    }

    private sealed class ShortRow
    {
        [VectorType(783)] public float[] Pixels { get; set; } = new float[783];
    }

    private sealed class VariableRow
    {
        public float[] Pixels { get; set; } = new float[784];
    }

    private sealed class ScalarRow
    {
        public float Pixels { get; set; }
    }

    private VaeEmbeddingEstimator Estimator(string input = "Pixels") => ml.Transforms.VaeEmbedding("Embedding", input, TestData.ModelPath);

    private static string MessageOf(Action action) => Assert.Throws<ArgumentOutOfRangeException>(action).Message;

    [Fact]
    public void Missing_column_is_rejected_by_GetOutputSchema_and_Fit_before_any_data_flows()
    {
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new DigitRow() });
        VaeEmbeddingEstimator estimator = Estimator("Image");
        string expected = $"Input column 'Image' not found; {Needs[..^1]}. Columns present: Pixels, Label. (Parameter 'inputSchema')";
        Assert.Equal(expected, MessageOf(() => estimator.GetOutputSchema(TestData.SchemaShapeOf(data))));
        Assert.Equal(expected, MessageOf(() => estimator.Fit(data)));
    }

    [Fact]
    public void Wrong_item_type_is_rejected_by_GetOutputSchema_and_Fit()
    {
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new DoubleRow() });
        Assert.Equal($"Input column 'Pixels' is Vector<Double>; {Needs} (Parameter 'inputSchema')", MessageOf(() => Estimator().GetOutputSchema(TestData.SchemaShapeOf(data))));
        Assert.Equal($"Input column 'Pixels' is Vector<Double, 784>; {Needs} (Parameter 'inputSchema')", MessageOf(() => Estimator().Fit(data)));
    }

    [Fact]
    public void Scalar_and_variable_size_columns_are_rejected_by_GetOutputSchema()
    {
        IDataView scalar = ml.Data.LoadFromEnumerable(new[] { new ScalarRow() });
        IDataView variable = ml.Data.LoadFromEnumerable(new[] { new VariableRow() });
        Assert.Equal($"Input column 'Pixels' is Single; {Needs} (Parameter 'inputSchema')", MessageOf(() => Estimator().GetOutputSchema(TestData.SchemaShapeOf(scalar))));
        Assert.Equal($"Input column 'Pixels' is Vector<Single> of variable size; {Needs} (Parameter 'inputSchema')",
            MessageOf(() => Estimator().GetOutputSchema(TestData.SchemaShapeOf(variable))));
        Assert.Equal($"Input column 'Pixels' is Vector<Single>; {Needs} (Parameter 'inputSchema')", MessageOf(() => Estimator().Fit(variable)));
    }

    [Fact]
    public void Wrong_vector_size_is_rejected_by_Fit_and_by_a_fitted_transformer()
    {
        IDataView shortData = ml.Data.LoadFromEnumerable(new[] { new ShortRow() });
        string expected = $"Input column 'Pixels' is Vector<Single, 783>; {Needs} (Parameter 'inputSchema')";
        Assert.Equal(expected, MessageOf(() => Estimator().Fit(shortData)));
        using VaeEmbeddingTransformer fitted = Estimator().Fit(TestData.Load(ml, 4));
        Assert.Equal(expected, MessageOf(() => fitted.GetOutputSchema(shortData.Schema)));
        Assert.Equal(expected, MessageOf(() => fitted.Transform(shortData)));
    }

    [Fact]
    public void Output_column_is_a_known_size_single_vector_in_both_schema_forms()
    {
        IDataView data = TestData.Load(ml, 4);
        VaeEmbeddingEstimator estimator = Estimator();
        SchemaShape.Column shape = estimator.GetOutputSchema(TestData.SchemaShapeOf(data)).Single(c => c.Name == "Embedding");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape.Kind);
        Assert.Equal(NumberDataViewType.Single, shape.ItemType);
        using VaeEmbeddingTransformer fitted = estimator.Fit(data);
        var type = (VectorDataViewType)fitted.GetOutputSchema(data.Schema)["Embedding"].Type;
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
        Assert.Equal(fitted.Model.LatentSize, type.Size);
    }

    [Fact]
    public void Bad_options_and_missing_models_fail_when_the_estimator_is_made()
    {
        Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions { OutputColumnName = "E", ModelPath = TestData.ModelPath, BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions { OutputColumnName = "E" }));
        Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(" ", "Pixels", TestData.ModelPath));
        var e = Assert.Throws<VaeModelException>(() => ml.Transforms.VaeEmbedding("E", "Pixels", Path.Combine(TestData.ModelPath, "nope")));
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void A_batch_size_whose_buffers_exceed_the_largest_array_is_refused_when_the_estimator_is_made()
    {
        // It was accepted, then every scan failed with OverflowException when its cursor sized BatchSize × 784 buffers.
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.VaeEmbedding(
            new VaeEmbeddingOptions { OutputColumnName = "E", InputColumnName = "Pixels", ModelPath = TestData.ModelPath, BatchSize = int.MaxValue }));
        Assert.Equal("BatchSize", e.ParamName);
        Assert.Contains($"BatchSize is {int.MaxValue}", e.Message);
        Assert.Contains($"expected at most {Array.MaxLength / 784}", e.Message);
    }

    /// <summary>The SchemaShape an estimator sees for <paramref name="data"/> (ML.NET keeps SchemaShape.Create internal; its own tests call it).</summary>
}
