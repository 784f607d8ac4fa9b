using Microsoft.ML;

namespace Vae.MLNet;

/// <summary>
/// <c>mlContext.Transforms.VaeEmbedding(...)</c>: VAE embeddings as a step of an ML.NET pipeline.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.VaeEmbedding("Embedding", "Pixels", "models/mnist")
///     .Append(mlContext.Clustering.Trainers.KMeans("Embedding", numberOfClusters: 10));
/// using var model = pipeline.Fit(data);   // TransformerChain: disposing it releases the ONNX Runtime sessions
/// </code>
/// </example>
public static class VaeEmbeddingCatalog
{
    /// <summary>
    /// Adds <paramref name="outputColumnName"/>, computed by the VAE in <paramref name="modelPath"/> from
    /// <paramref name="inputColumnName"/> (a Vector&lt;Single&gt; of the model's input size, e.g. 784 pixels in [0, 1]).
    /// Only apply models you trust.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="outputColumnName">Column to add: a known-size Vector&lt;Single&gt; (see <see cref="VaeEmbeddingKind"/> for its size).</param>
    /// <param name="inputColumnName">Column the encoder reads; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="modelPath">Model folder with <c>encoder.onnx</c> and <c>decoder.onnx</c>.</param>
    /// <param name="kind">What to output per row (default the posterior mean).</param>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="Vae.Inference.VaeModelException">The model folder is missing, corrupt or not a VAE pair.</exception>
    public static VaeEmbeddingEstimator VaeEmbedding(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, string modelPath,
        VaeEmbeddingKind kind = VaeEmbeddingKind.Mean)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new VaeEmbeddingEstimator(new VaeEmbeddingOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ModelPath = modelPath,
            Kind = kind,
        });
    }

    /// <summary>The VAE step with every setting (loaded model, label column of a conditional model, session options, batch size, seed); see <see cref="VaeEmbeddingOptions"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="Vae.Inference.VaeModelException">The model folder is missing, corrupt or not a VAE pair.</exception>
    public static VaeEmbeddingEstimator VaeEmbedding(this TransformsCatalog catalog, VaeEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new VaeEmbeddingEstimator(options);
    }
}
