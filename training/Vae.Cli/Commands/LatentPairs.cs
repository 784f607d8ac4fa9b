using Vae.Cli.Pictures;
using Vae.MLNet;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae latent-map --pairs k</c>: the scatter matrix of the top k principal components of the posterior means (the
/// latent dimensions themselves when the latent has exactly k), coloured by label or by k-means cluster, as the seeds
/// look at a 3-D latent from three sides.
/// </summary>
internal static class LatentPairs
{
    /// <summary>Pixels per panel side.</summary>
    public const int PanelWidth = 440, PanelHeight = 380;

    /// <summary>Draws the matrix of <paramref name="pairs"/> coordinates into <paramref name="path"/>.</summary>
    public static (int Width, int Height) Save(string path, float[] means, int latent, int pairs, int[]? labels, int kmeans, int seed)
    {
        int n = means.Length / latent;
        double[][] coordinates;
        string[] axes;
        string about;
        if (latent == pairs)
        {
            coordinates = Enumerable.Range(0, n).Select(i => means.AsSpan(i * latent, latent).ToArray().Select(v => (double)v).ToArray()).ToArray();
            axes = Enumerable.Range(0, pairs).Select(d => $"z[{d}]").ToArray();
            about = $"Posterior means of {n:N0} test images ({latent}-D latent)";
        }
        else
        {
            Pca pca = Pca.Fit(means, latent);
            coordinates = Enumerable.Range(0, n).Select(i => pca.Project(means.AsSpan(i * latent, latent), pairs)).ToArray();
            axes = Enumerable.Range(0, pairs).Select(c => $"PC{c + 1} ({ChartStyle.Percent(pca.ExplainedRatio(c))})").ToArray();
            double explained = Enumerable.Range(0, pairs).Sum(pca.ExplainedRatio);
            about = $"PCA of {latent}-D posterior means, {n:N0} test images: PC1–PC{pairs} explain {ChartStyle.Percent(explained)} of the variance";
        }

        int[] group;
        string[] names;
        if (kmeans > 0)
        {
            KMeansClustering clusters = KMeansClustering.Fit(means, latent, kmeans, seed);
            group = clusters.Assignments;
            names = Enumerable.Range(0, kmeans).Select(c => labels is null ? $"cluster {c}" : $"cluster {c}: mostly {LatentMapCommand.MajorityLabel(group, labels, c)}").ToArray();
            about += $"; coloured by k-means cluster (k = {kmeans} on all {latent} dims)";
        }
        else if (labels is not null)
        {
            group = labels;
            names = Enumerable.Range(0, labels.Max() + 1).Select(c => $"label {c}").ToArray();
        }
        else
        {
            group = new int[n];
            names = ["unlabelled"];
        }
        return ChartStyle.Save(path, ScatterMatrixChart.Create(coordinates, group, names, axes), pairs, PanelWidth, PanelHeight, about);
    }
}
