using Vae.Cli.Pictures;

namespace Vae.Cli.Tests;

public class KMeansTests
{
    [Fact]
    public void Recovers_three_separated_blobs()
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
        KMeans result = KMeans.Fit(x.ToArray(), 2, 3, seed: 1);
        Assert.Equal(1.0, KMeans.Purity(result.Assignments, truth));
        foreach (double[] centroid in result.Centroids)
            Assert.Contains(centres, c => Math.Abs(c.X - centroid[0]) < 0.2 && Math.Abs(c.Y - centroid[1]) < 0.2);
        Assert.Equal(result.Inertia, Enumerable.Range(0, 300).Sum(i =>
            Math.Pow(x[2 * i] - result.Centroids[result.Assignments[i]][0], 2) + Math.Pow(x[2 * i + 1] - result.Centroids[result.Assignments[i]][1], 2)), 1e-6);
    }

    [Fact]
    public void One_cluster_is_the_mean()
    {
        KMeans result = KMeans.Fit(new float[] { 0, 0, 2, 4, 4, 2 }, 2, 1);
        Assert.Equal([2.0, 2.0], result.Centroids[0]);
    }

    [Fact]
    public void Purity_counts_the_majority_label_of_each_cluster()
    {
        // Cluster 0 holds labels 1, 1, 2; cluster 1 holds 3, 3: 4 of 5 points agree with their cluster's vote.
        Assert.Equal(0.8, KMeans.Purity([0, 0, 0, 1, 1], [1, 1, 2, 3, 3]), 1e-12);
    }

    [Fact]
    public void Rejects_more_clusters_than_points()
    {
        var e = Assert.Throws<ArgumentException>(() => KMeans.Fit(new float[] { 1, 2 }, 1, 3));
        Assert.Contains("expected 1 to 2", e.Message);
    }
}
