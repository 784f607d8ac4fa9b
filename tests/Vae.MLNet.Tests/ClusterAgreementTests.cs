using Microsoft.ML;

namespace Vae.MLNet.Tests;

public class ClusterAgreementTests
{
    [Fact]
    public void A_relabelled_perfect_clustering_scores_one()
    {
        var result = ClusterAgreement.Measure([0, 0, 1, 1, 2, 2], [7, 7, 3, 3, 5, 5]);
        Assert.Equal(1.0, result.Purity, 12);
        Assert.Equal(1.0, result.NormalizedMutualInformation, 12);
    }

    [Fact]
    public void Purity_counts_the_majority_label_of_each_cluster()
    {
        // Cluster 0 holds labels 1, 1, 2; cluster 1 holds 3, 3: 4 of 5 points agree with their cluster's vote.
        Assert.Equal(0.8, ClusterAgreement.Measure([1, 1, 2, 3, 3], [0, 0, 0, 1, 1]).Purity, 12);
    }

    [Fact]
    public void A_worked_example_matches_hand_computation()
    {
        // labels a a a b b b, clusters 1 1 2 2 2 2: purity (2 + 3) / 6; I = Σ p(x,y) log p(x,y)/(p(x)p(y)).
        var result = ClusterAgreement.Measure([0, 0, 0, 1, 1, 1], [1, 1, 2, 2, 2, 2]);
        double mi = 2.0 / 6 * Math.Log((2.0 / 6) / (0.5 * 2.0 / 6)) + 1.0 / 6 * Math.Log((1.0 / 6) / (0.5 * 4.0 / 6)) + 3.0 / 6 * Math.Log((3.0 / 6) / (0.5 * 4.0 / 6));
        double hLabels = Math.Log(2), hClusters = -(1.0 / 3 * Math.Log(1.0 / 3) + 2.0 / 3 * Math.Log(2.0 / 3));
        Assert.Equal(5.0 / 6, result.Purity, 12);
        Assert.Equal(mi, result.MutualInformation, 12);
        Assert.Equal(mi / ((hLabels + hClusters) / 2), result.NormalizedMutualInformation, 12);
    }

    [Fact]
    public void Mutual_information_agrees_with_MLNET_clustering_evaluator()
    {
        // ML.NET reports I / H(labels); compare on a random clustering of 500 rows.
        var random = new Random(4);
        int[] labels = Enumerable.Range(0, 500).Select(_ => random.Next(5)).ToArray();
        int[] clusters = labels.Select(l => random.NextDouble() < 0.6 ? l : random.Next(4)).ToArray();
        var ml = new MLContext(seed: 1);
        var rows = labels.Zip(clusters, (l, c) => new ScoredRow { Label = l, Score = Enumerable.Range(0, 5).Select(k => k == c ? 0f : 1f).ToArray() });
        var metrics = ml.Clustering.Evaluate(ml.Data.LoadFromEnumerable(rows), labelColumnName: "Label", scoreColumnName: "Score");
        double hLabels = -labels.GroupBy(l => l).Sum(g => (double)g.Count() / 500 * Math.Log((double)g.Count() / 500));
        Assert.Equal(metrics.NormalizedMutualInformation, ClusterAgreement.Measure(labels, clusters).MutualInformation / hLabels, 9);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterAgreement.Measure([1, 2], [1]));
        Assert.Equal("clusters has 1 rows, expected 2 (one per label). (Parameter 'clusters')", e.Message);
    }

    private sealed class ScoredRow
    {
        public float Label { get; set; }

        [Microsoft.ML.Data.VectorType(5)]
        public float[] Score { get; set; } = [];
    }
}
