using Microsoft.ML;
using Vae.Inference;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>
/// The ML.NET step on a hierarchical VAE (models/reference-hvae, two stochastic layers and a VampPrior, made by
/// <c>make reference-model</c>): its embedding is the top layer's posterior along the mean path — the pair's encoder —
/// and its reconstruction error goes through the pair, exactly as <see cref="VaeModel"/> gives them.
/// </summary>
public class HierarchicalEmbeddingTests
{
    private const int Rows = 50;
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "models", "reference-hvae");

    [Theory]
    [InlineData(VaeEmbeddingKind.Mean)]
    [InlineData(VaeEmbeddingKind.ReconstructionError)]
    public void The_embedding_of_a_hierarchical_model_is_the_top_layer_as_the_library_gives_it(VaeEmbeddingKind kind)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = TestData.Load(ml, Rows);
        using VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
        {
            OutputColumnName = "Embedding", InputColumnName = "Pixels", ModelPath = Folder, Kind = kind, BatchSize = Rows,
        }).Fit(data);
        float[][] actual = TestData.Column(fitted.Transform(data), "Embedding");

        using var model = VaeModel.Load(Folder);
        Assert.NotNull(model.Hierarchy);
        Assert.Equal(2, model.Hierarchy!.Layers);
        float[] x = TestData.Flatten(TestData.MnistTest(Rows));
        float[][] expected = kind == VaeEmbeddingKind.Mean
            ? model.Encode(x).Mean.Chunk(model.LatentSize).ToArray()
            : model.ReconstructionError(x).Select(e => new[] { e }).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal(kind == VaeEmbeddingKind.Mean ? model.Hierarchy.LatentSizes[^1] : 1, actual[0].Length);
    }
}
