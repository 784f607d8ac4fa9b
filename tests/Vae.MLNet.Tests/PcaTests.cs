namespace Vae.MLNet.Tests;

public class PcaTests
{
    [Fact]
    public void Finds_the_axes_of_a_known_two_dimensional_covariance()
    {
        // Points ±(1, 1) and ±(1, −1)/2: covariance has eigenvectors (1, 1)/√2 and (1, −1)/√2 with variances 4/3 and 1/3.
        float[] x = [1, 1, -1, -1, 0.5f, -0.5f, -0.5f, 0.5f];
        Pca pca = Pca.Fit(x, 2);
        Assert.Equal(4.0 / 3, pca.Variances[0], 1e-9);
        Assert.Equal(1.0 / 3, pca.Variances[1], 1e-9);
        Assert.Equal(1 / Math.Sqrt(2), pca.Components[0][0], 1e-9);
        Assert.Equal(1 / Math.Sqrt(2), pca.Components[0][1], 1e-9);
        Assert.Equal(0.8, pca.ExplainedRatio(0), 1e-9);
        Assert.Equal(2 * Math.Sqrt(2), pca.Project([2, 2], 1)[0], 1e-6);
    }

    [Fact]
    public void Eigen_decomposition_reproduces_the_covariance_of_correlated_data()
    {
        const int n = 500, d = 6;
        var random = new Random(3);
        var x = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            double a = random.NextDouble() - 0.5, b = random.NextDouble() - 0.5;
            for (int j = 0; j < d; j++) x[i * d + j] = (float)(a * (j + 1) + b * (d - j) * 0.3 + 0.05 * (random.NextDouble() - 0.5));
        }
        Pca pca = Pca.Fit(x, d);

        // Reference: the covariance computed directly, compared with Σ_c λ_c v_c v_cᵀ.
        for (int j = 0; j < d; j++)
        {
            for (int k = 0; k < d; k++)
            {
                double mj = Enumerable.Range(0, n).Average(i => (double)x[i * d + j]), mk = Enumerable.Range(0, n).Average(i => (double)x[i * d + k]);
                double covariance = Enumerable.Range(0, n).Sum(i => (x[i * d + j] - mj) * (x[i * d + k] - mk)) / (n - 1);
                double rebuilt = Enumerable.Range(0, d).Sum(c => pca.Variances[c] * pca.Components[c][j] * pca.Components[c][k]);
                Assert.Equal(covariance, rebuilt, 1e-6);
            }
        }
        for (int c = 0; c < d; c++)
        {
            for (int e = 0; e < d; e++)
                Assert.Equal(c == e ? 1.0 : 0.0, Enumerable.Range(0, d).Sum(j => pca.Components[c][j] * pca.Components[e][j]), 1e-9);
        }
        Assert.True(pca.Variances.Zip(pca.Variances.Skip(1)).All(p => p.First >= p.Second), "variances must be sorted, largest first");
        Assert.Equal(1.0, Enumerable.Range(0, d).Sum(pca.ExplainedRatio), 1e-9);
        Assert.True(pca.ExplainedRatio(0) + pca.ExplainedRatio(1) > 0.99, "the data lie near a plane");
    }

    [Fact]
    public void Rejects_fewer_than_two_points()
    {
        var e = Assert.Throws<ArgumentException>(() => Pca.Fit(new float[] { 1, 2, 3 }, 3));
        Assert.Contains("N ≥ 2", e.Message);
    }
}
