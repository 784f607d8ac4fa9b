using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>One MNIST image as ML.NET reads it.</summary>
public sealed class DigitRow
{
    [VectorType(784)]
    public float[] Pixels { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>Embedding output for prediction engines.</summary>
public sealed class EmbeddingRow
{
    public float[] Embedding { get; set; } = [];
}

/// <summary>The model and data shared by the tests: the committed reference model and the first MNIST test images.</summary>
internal static class TestData
{
    /// <summary>The reference model committed under models/reference (784 inputs), or VAE_MLNET_TEST_MODEL when set.</summary>
    public static string ModelPath =>
        Environment.GetEnvironmentVariable("VAE_MLNET_TEST_MODEL") is { Length: > 0 } path ? path : Path.Combine(RepoPaths.Root, "models", "reference");

    private static readonly Lazy<DigitRow[]> Digits = new(() => ReadTestImages(2000));

    /// <summary>The first <paramref name="count"/> MNIST test images (pixels / 255) with their labels.</summary>
    public static DigitRow[] MnistTest(int count) => Digits.Value[..count];

    public static IDataView Load(MLContext ml, int count) => ml.Data.LoadFromEnumerable(MnistTest(count));

    /// <summary>All pixels of <paramref name="rows"/>, row after row.</summary>
    public static float[] Flatten(IEnumerable<DigitRow> rows) => rows.SelectMany(r => r.Pixels).ToArray();

    /// <summary>The float[] values of a vector column, row after row.</summary>
    public static float[][] Column(IDataView data, string name) =>
        data.GetColumn<VBuffer<float>>(name).Select(v => v.DenseValues().ToArray()).ToArray();

    /// <summary>The SchemaShape ML.NET's estimators see for <paramref name="data"/> (its factory is internal to ML.NET).</summary>
    public static SchemaShape SchemaShapeOf(IDataView data) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [data.Schema])!;

    // Reads idx files directly: the ML.NET tests must not depend on Vae.Training (TorchSharp).
    private static DigitRow[] ReadTestImages(int count)
    {
        string folder = RepoPaths.RequireMnist();
        byte[] images = File.ReadAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"));
        byte[] labels = File.ReadAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"));
        var rows = new DigitRow[count];
        for (int i = 0; i < count; i++)
        {
            var pixels = new float[784];
            for (int p = 0; p < 784; p++) pixels[p] = images[16 + i * 784 + p] / 255f;
            rows[i] = new DigitRow { Pixels = pixels, Label = labels[8 + i] };
        }
        return rows;
    }
}
