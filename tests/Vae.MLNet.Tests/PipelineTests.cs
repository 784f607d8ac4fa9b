using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet.Tests;

/// <summary>The VAE step between ordinary ML.NET transforms and trainers.</summary>
public class PipelineTests
{
    private readonly MLContext ml = new(seed: 1);

    [Fact]
    public void Concatenate_and_NormalizeMinMax_before_and_SdcaMaximumEntropy_after()
    {
        IDataView train = ml.Data.LoadFromEnumerable(TestData.MnistTest(1500)[..1000]);
        IDataView test = ml.Data.LoadFromEnumerable(TestData.MnistTest(1500)[1000..]);
        var pipeline = ml.Transforms.Concatenate("Image", "Pixels")
            .Append(ml.Transforms.NormalizeMinMax("Image"))
            .Append(ml.Transforms.VaeEmbedding("Embedding", "Image", TestData.ModelPath))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Embedding"))
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"));
        using var fitted = pipeline.Fit(train);
        IDataView scored = fitted.Transform(test);

        // The embedding is the encoder's mean of the normalised image the step actually received.
        float[][] images = TestData.Column(scored, "Image"), embeddings = TestData.Column(scored, "Embedding");
        var model = fitted.OfType<VaeEmbeddingTransformer>().Single().Model;
        float[] expected = model.Encode(images.Take(50).SelectMany(i => i).ToArray()).Mean;
        float[] actual = embeddings.Take(50).SelectMany(e => e).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"value {i}: {actual[i]} vs {expected[i]}");

        // Ten classes: chance is 10 %. A linear classifier on an 8-d VAE mean of 1,000 digits does far better.
        double accuracy = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey").MicroAccuracy;
        Assert.True(accuracy > 0.5, $"test accuracy {accuracy:P1}");
    }
}
