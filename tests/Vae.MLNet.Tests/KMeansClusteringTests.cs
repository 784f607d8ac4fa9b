using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet.Tests;

public class KMeansClusteringTests
{
    private static (float[] Points, int[] Truth) Blobs()
    {
        var random = new Random(7);
        (double X, double Y)[] centres = [(0, 0), (10, 0), (0, 10)];
        var x = new List<float>();
        var truth = new List<int>();
        for (int i = 0; i < 300; i++)
        {
            int c = i % 3;
            x.Add((float)(centres[c].X + random.NextDouble() - 0.5));
            x.Add((float)(centres[c].Y + random.NextDouble() - 0.5));
            truth.Add(c);
        }
        return (x.ToArray(), truth.ToArray());
    }

    [Fact]
    public void Recovers_three_separated_blobs_with_their_centres()
    {
        var (x, truth) = Blobs();
        KMeansClustering result = KMeansClustering.Fit(x, 2, 3, seed: 1);
        Assert.Equal(1.0, ClusterAgreement.Measure(truth, result.Assignments).Purity);
        Assert.Equal(3, result.Centroids.Length);
        foreach (float[] centroid in result.Centroids)
            Assert.Contains(new (double X, double Y)[] { (0, 0), (10, 0), (0, 10) }, c => Math.Abs(c.X - centroid[0]) < 0.2 && Math.Abs(c.Y - centroid[1]) < 0.2);
        // each point's cluster is its nearest centre
        for (int i = 0; i < 300; i++)
        {
            int nearest = Enumerable.Range(0, 3).MinBy(c => Math.Pow(x[2 * i] - result.Centroids[c][0], 2) + Math.Pow(x[2 * i + 1] - result.Centroids[c][1], 2));
            Assert.Equal(nearest, result.Assignments[i]);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_clusters_as_the_trainer_in_a_pipeline()
    {
        var (x, _) = Blobs();
        KMeansClustering first = KMeansClustering.Fit(x, 2, 3, seed: 4), second = KMeansClustering.Fit(x, 2, 3, seed: 4);
        Assert.Equal(first.Assignments, second.Assignments);

        // vae cluster appends KMeansClustering.Trainer to its pipelines: on the same points and seed it assigns the same clusters
        var ml = new MLContext(seed: 4);
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 2);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 300).Select(i => new Row { Embedding = [x[2 * i], x[2 * i + 1]] }), schema);
        var model = KMeansClustering.Trainer(ml, "Embedding", 3).Fit(data);
        Assert.Equal(first.Assignments, model.Transform(data).GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1));
    }

    [Fact]
    public void One_cluster_is_the_mean()
    {
        KMeansClustering result = KMeansClustering.Fit([0, 0, 2, 4, 4, 2], 2, 1);
        Assert.Equal([0, 0, 0], result.Assignments);
        Assert.Equal(2.0, result.Centroids[0][0], 1e-5);
        Assert.Equal(2.0, result.Centroids[0][1], 1e-5);
    }

    [Fact]
    public void Rejects_more_clusters_than_points_and_ragged_points()
    {
        var e = Assert.Throws<ArgumentException>(() => KMeansClustering.Fit([1, 2], 1, 3));
        Assert.Contains("clusters is 3; expected 1 to 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => KMeansClustering.Fit([1, 2, 3], 2, 1));
        Assert.Contains("length of points is 3; expected N × 2 values", e.Message);
    }

    private sealed class Row
    {
        public float[] Embedding { get; set; } = [];
    }
}
