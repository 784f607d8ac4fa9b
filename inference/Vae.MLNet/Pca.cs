namespace Vae.MLNet;

/// <summary>
/// Principal component analysis of N points in d dimensions: the eigen-decomposition of their covariance
/// matrix by cyclic Jacobi rotations (exact for the small d of a latent space), components sorted by variance.
/// Used to look at embeddings, such as VAE posterior means, in two dimensions (beside <see cref="KMeansClustering"/> and
/// <see cref="ClusterAgreement"/>).
/// </summary>
public sealed class Pca
{
    private Pca(double[] mean, double[][] components, double[] variances)
    {
        Mean = mean;
        Components = components;
        Variances = variances;
    }

    /// <summary>Mean of the points (length d).</summary>
    public double[] Mean { get; }

    /// <summary>Unit principal directions, largest variance first; each has length d, its largest entry positive.</summary>
    public double[][] Components { get; }

    /// <summary>Variance along each component (eigenvalues of the covariance, N − 1 denominator), descending.</summary>
    public double[] Variances { get; }

    /// <summary>Fraction of the total variance along component <paramref name="i"/>.</summary>
    public double ExplainedRatio(int i)
    {
        double total = Variances.Sum();
        return total > 0 ? Variances[i] / total : 0;
    }

    /// <summary>Fits the points <paramref name="x"/>: N × <paramref name="dimensions"/> values, row-major, N ≥ 2.</summary>
    /// <exception cref="ArgumentException"><paramref name="dimensions"/> is below 1, or <paramref name="x"/> is not N × d values with N ≥ 2.</exception>
    public static Pca Fit(ReadOnlySpan<float> x, int dimensions)
    {
        if (dimensions <= 0) throw new ArgumentException($"{nameof(dimensions)} is {dimensions}; expected at least 1.", nameof(dimensions));
        if (x.Length % dimensions != 0 || x.Length / dimensions < 2)
            throw new ArgumentException($"length of {nameof(x)} is {x.Length}; expected N × {dimensions} values with N ≥ 2.", nameof(x));
        int n = x.Length / dimensions, d = dimensions;
        var mean = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;

        var covariance = new double[d, d];
        var centred = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) centred[j] = x[i * d + j] - mean[j];
            for (int j = 0; j < d; j++)
                for (int k = j; k < d; k++) covariance[j, k] += centred[j] * centred[k];
        }
        for (int j = 0; j < d; j++)
            for (int k = j; k < d; k++) covariance[k, j] = covariance[j, k] /= n - 1;

        var (values, vectors) = SymmetricEigen(covariance);
        int[] order = Enumerable.Range(0, d).OrderByDescending(i => values[i]).ToArray();
        double[][] components = order.Select(c =>
        {
            double[] v = Enumerable.Range(0, d).Select(r => vectors[r, c]).ToArray();
            double largest = v.MaxBy(Math.Abs);
            return largest < 0 ? v.Select(e => -e).ToArray() : v;
        }).ToArray();
        return new Pca(mean, components, order.Select(i => Math.Max(0, values[i])).ToArray());
    }

    /// <summary>Coordinates of one point along the first <paramref name="count"/> components.</summary>
    /// <exception cref="ArgumentException">The point has another length than d, or <paramref name="count"/> is not 1 to d.</exception>
    public double[] Project(ReadOnlySpan<float> point, int count)
    {
        if (point.Length != Mean.Length) throw new ArgumentException($"{nameof(point)} has {point.Length} values; expected {Mean.Length}.", nameof(point));
        if (count < 1 || count > Mean.Length) throw new ArgumentException($"{nameof(count)} is {count}; expected 1 to {Mean.Length} components.", nameof(count));
        var result = new double[count];
        for (int c = 0; c < count; c++)
            for (int j = 0; j < Mean.Length; j++) result[c] += (point[j] - Mean[j]) * Components[c][j];
        return result;
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[d, d];
        for (int i = 0; i < d; i++) v[i, i] = 1;
        double scale = 0;
        foreach (double e in a) scale += e * e;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < d; p++)
                for (int q = p + 1; q < d; q++) off += a[p, q] * a[p, q];
            if (off <= 1e-30 * scale || off == 0) break;
            for (int p = 0; p < d; p++)
            {
                for (int q = p + 1; q < d; q++)
                {
                    if (a[p, q] == 0) continue;
                    // Rotation in the (p, q) plane chosen so that the new a[p, q] is zero (Golub & Van Loan, §8.5).
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < d; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < d; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        return (Enumerable.Range(0, d).Select(i => a[i, i]).ToArray(), v);
    }
}
