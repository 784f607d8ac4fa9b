using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Vae.MLNet;

/// <summary>
/// k-means clustering with ML.NET's KMeans trainer: the one k-means of this project. <see cref="Trainer"/> is the
/// estimator a pipeline appends (the <c>vae cluster</c> command does, on VAE embeddings and on raw pixels); <see cref="Fit"/>
/// runs the same trainer on points in memory (the <c>vae latent-map --kmeans</c> picture), so both agree on the same data
/// and seed. Judge a clustering against known labels with <see cref="ClusterAgreement"/>.
/// </summary>
/// <param name="Assignments">Cluster of each point, 0 … k − 1.</param>
/// <param name="Centroids">Centre of each cluster (d values each).</param>
public sealed record KMeansClustering(int[] Assignments, float[][] Centroids)
{
    /// <summary>ML.NET's KMeans trainer on <paramref name="featureColumn"/> with <paramref name="clusters"/> clusters; its
    /// initialisation draws from <paramref name="ml"/>'s random stream.</summary>
    public static KMeansTrainer Trainer(MLContext ml, string featureColumn, int clusters)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return ml.Clustering.Trainers.KMeans(featureColumn, numberOfClusters: clusters);
    }

    /// <summary>Clusters <paramref name="points"/> (N × <paramref name="dimensions"/> values, row-major) into
    /// <paramref name="clusters"/> groups with <see cref="Trainer"/>, from an ML.NET context seeded with <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dimensions"/> is below 1, <paramref name="points"/> is not N × d
    /// values with N ≥ 1, or <paramref name="clusters"/> is not 1 to N.</exception>
    public static KMeansClustering Fit(float[] points, int dimensions, int clusters, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (dimensions < 1) throw new ArgumentException($"{nameof(dimensions)} is {dimensions}; expected at least 1.", nameof(dimensions));
        if (points.Length == 0 || points.Length % dimensions != 0)
            throw new ArgumentException($"length of {nameof(points)} is {points.Length}; expected N × {dimensions} values with N ≥ 1.", nameof(points));
        int n = points.Length / dimensions;
        if (clusters < 1 || clusters > n)
            throw new ArgumentException($"{nameof(clusters)} is {clusters}; expected 1 to {n} (the number of points).", nameof(clusters));

        // An ML.NET context seeds the components it makes from one random stream: the data view first, then the trainer,
        // draw as vae cluster's pipelines do on a fresh context with the same seed, so both start k-means alike.
        var ml = new MLContext(seed);
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Point));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        IDataView data = ml.Data.LoadFromEnumerable(
            Enumerable.Range(0, n).Select(i => new Point { Features = points.AsSpan(i * dimensions, dimensions).ToArray() }), schema);
        var model = Trainer(ml, nameof(Point.Features), clusters).Fit(data);
        int[] assignments = model.Transform(data).GetColumn<uint>("PredictedLabel").Select(key => (int)key - 1).ToArray();
        VBuffer<float>[] centroids = [];
        model.Model.GetClusterCentroids(ref centroids, out int k);
        return new KMeansClustering(assignments, centroids.Take(k).Select(c => c.DenseValues().ToArray()).ToArray());
    }

    private sealed class Point
    {
        public float[] Features { get; set; } = [];
    }
}
