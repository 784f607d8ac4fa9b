namespace Vae.Cli.Pictures;

/// <summary>
/// k-means clustering (Lloyd's algorithm from a seeded k-means++ start, Arthur &amp; Vassilvitskii 2007) of
/// N points in d dimensions.
/// </summary>
internal sealed class KMeans
{
    private KMeans(int[] assignments, double[][] centroids, double inertia, int iterations)
    {
        Assignments = assignments;
        Centroids = centroids;
        Inertia = inertia;
        Iterations = iterations;
    }

    /// <summary>Cluster of each point, 0 … k − 1.</summary>
    public int[] Assignments { get; }

    /// <summary>Centre of each cluster (length d).</summary>
    public double[][] Centroids { get; }

    /// <summary>Sum of squared distances from each point to its centre.</summary>
    public double Inertia { get; }

    /// <summary>Lloyd iterations run until no point changed cluster (or the limit was reached).</summary>
    public int Iterations { get; }

    /// <summary>Clusters <paramref name="x"/> (N × <paramref name="dimensions"/> values, row-major) into <paramref name="k"/> groups.</summary>
    public static KMeans Fit(ReadOnlySpan<float> x, int dimensions, int k, int seed = 1, int maxIterations = 300)
    {
        if (dimensions <= 0) throw new ArgumentException($"{nameof(dimensions)} is {dimensions}; expected at least 1.", nameof(dimensions));
        if (x.Length == 0 || x.Length % dimensions != 0)
            throw new ArgumentException($"length of {nameof(x)} is {x.Length}; expected N × {dimensions} values with N ≥ 1.", nameof(x));
        int n = x.Length / dimensions, d = dimensions;
        if (k < 1 || k > n) throw new ArgumentException($"{nameof(k)} is {k}; expected 1 to {n} (the number of points).", nameof(k));
        double[] points = new double[x.Length];
        for (int i = 0; i < x.Length; i++) points[i] = x[i];

        double[][] centroids = SeedPlusPlus(points, n, d, k, new Random(seed));
        var assignments = new int[n];
        Array.Fill(assignments, -1);
        int iteration = 0;
        for (bool changed = true; changed && iteration < maxIterations; iteration++)
        {
            changed = false;
            for (int i = 0; i < n; i++)
            {
                int best = Nearest(points, i, d, centroids).Index;
                if (best != assignments[i]) { assignments[i] = best; changed = true; }
            }
            var sums = new double[k][];
            var counts = new int[k];
            for (int c = 0; c < k; c++) sums[c] = new double[d];
            for (int i = 0; i < n; i++)
            {
                counts[assignments[i]]++;
                for (int j = 0; j < d; j++) sums[assignments[i]][j] += points[i * d + j];
            }
            for (int c = 0; c < k; c++)
                if (counts[c] > 0) centroids[c] = sums[c].Select(s => s / counts[c]).ToArray();   // an empty cluster keeps its centre
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += SquaredDistance(points, i, d, centroids[assignments[i]]);
        return new KMeans(assignments, centroids, inertia, iteration);
    }

    /// <summary>
    /// Cluster purity against known labels: each cluster votes for its most common label, and purity is the
    /// fraction of points whose label matches their cluster's vote (1 = every cluster holds one label).
    /// </summary>
    public static double Purity(IReadOnlyList<int> clusters, IReadOnlyList<int> labels)
    {
        if (clusters.Count != labels.Count || clusters.Count == 0)
            throw new ArgumentException($"{clusters.Count} cluster assignments for {labels.Count} labels; expected the same positive count.", nameof(labels));
        int agreeing = Enumerable.Range(0, clusters.Count)
            .GroupBy(i => clusters[i])
            .Sum(group => group.GroupBy(i => labels[i]).Max(byLabel => byLabel.Count()));
        return (double)agreeing / clusters.Count;
    }

    private static double[][] SeedPlusPlus(double[] points, int n, int d, int k, Random random)
    {
        var centroids = new List<double[]> { Row(points, random.Next(n), d) };
        var distance = new double[n];
        while (centroids.Count < k)
        {
            double total = 0;
            for (int i = 0; i < n; i++) total += distance[i] = Nearest(points, i, d, centroids).SquaredDistance;
            int pick = n - 1;
            if (total > 0)
            {
                double target = random.NextDouble() * total;
                for (int i = 0; i < n; i++)
                {
                    target -= distance[i];
                    if (target <= 0) { pick = i; break; }
                }
            }
            else pick = random.Next(n);   // fewer distinct points than k: duplicates become centres
            centroids.Add(Row(points, pick, d));
        }
        return centroids.ToArray();
    }

    private static (int Index, double SquaredDistance) Nearest(double[] points, int i, int d, IReadOnlyList<double[]> centroids)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < centroids.Count; c++)
        {
            double distance = SquaredDistance(points, i, d, centroids[c]);
            if (distance < bestDistance) (best, bestDistance) = (c, distance);
        }
        return (best, bestDistance);
    }

    private static double SquaredDistance(double[] points, int i, int d, double[] centre)
    {
        double sum = 0;
        for (int j = 0; j < d; j++)
        {
            double diff = points[i * d + j] - centre[j];
            sum += diff * diff;
        }
        return sum;
    }

    private static double[] Row(double[] points, int i, int d) => points.AsSpan(i * d, d).ToArray();
}
