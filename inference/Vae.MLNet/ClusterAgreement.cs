namespace Vae.MLNet;

/// <summary>
/// How well a clustering agrees with known labels (used to judge embeddings, e.g. KMeans on VAE means vs on pixels).
/// </summary>
/// <param name="Purity">Σ over clusters of the count of the cluster's most common label, divided by the row count (1 = every cluster is one label).</param>
/// <param name="NormalizedMutualInformation">
/// I(labels; clusters) / ½(H(labels) + H(clusters)), natural logs — the common definition (scikit-learn's default). 1 = the
/// clustering is the labelling up to renaming, 0 = independent. (ML.NET's ClusteringMetrics divides by H(labels) alone.)
/// </param>
/// <param name="MutualInformation">I(labels; clusters) in nats.</param>
public sealed record ClusterAgreement(double Purity, double NormalizedMutualInformation, double MutualInformation)
{
    /// <summary>Compares <paramref name="clusters"/> with <paramref name="labels"/>, row by row.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static ClusterAgreement Measure(IReadOnlyList<int> labels, IReadOnlyList<int> clusters)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(clusters);
        if (labels.Count != clusters.Count)
            throw new ArgumentException($"{nameof(clusters)} has {clusters.Count} rows, expected {labels.Count} (one per label).", nameof(clusters));
        if (labels.Count == 0) throw new ArgumentException($"{nameof(labels)} is empty; expected at least one row.", nameof(labels));

        var joint = new Dictionary<(int Label, int Cluster), int>();
        var byLabel = new Dictionary<int, int>();
        var byCluster = new Dictionary<int, int>();
        for (int i = 0; i < labels.Count; i++)
        {
            joint[(labels[i], clusters[i])] = joint.GetValueOrDefault((labels[i], clusters[i])) + 1;
            byLabel[labels[i]] = byLabel.GetValueOrDefault(labels[i]) + 1;
            byCluster[clusters[i]] = byCluster.GetValueOrDefault(clusters[i]) + 1;
        }

        double n = labels.Count;
        double purity = joint.GroupBy(p => p.Key.Cluster).Sum(g => g.Max(p => p.Value)) / n;
        double mi = joint.Sum(p => p.Value / n * Math.Log(p.Value * n / ((double)byLabel[p.Key.Label] * byCluster[p.Key.Cluster])));
        double hLabels = Entropy(byLabel.Values, n), hClusters = Entropy(byCluster.Values, n);
        double mean = (hLabels + hClusters) / 2;
        // Both partitions trivial (one label, one cluster): identical, by convention NMI 1.
        double nmi = mean == 0 ? 1 : Math.Clamp(mi / mean, 0, 1);
        return new ClusterAgreement(purity, nmi, mi);
    }

    private static double Entropy(IEnumerable<int> counts, double n) => -counts.Sum(c => c / n * Math.Log(c / n));
}
