using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.MLNet;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae latent-map</c>: the test set's posterior means as a scatter plot coloured by label (or by k-means
/// cluster), projected to 2-D by PCA when the latent has more than two dimensions.
/// </summary>
internal static class LatentMapCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var output = PictureInputs.OutOption("out/latent-map.png");
        var count = new Option<int>("--count") { Description = "Test images to encode (0: all)", DefaultValueFactory = _ => 0 };
        var kmeans = new Option<int>("--kmeans") { Description = "Colour by k-means clusters of the full latent means (k clusters; 0: colour by label)", DefaultValueFactory = _ => 0 };
        var dims = new Option<string?>("--dims") { Description = "Plot these two latent dimensions (e.g. 0,1) instead of the top two principal components" };
        var seed = new Option<int>("--seed") { Description = "ML.NET seed (KMeans initialisation), as vae cluster's --seed", DefaultValueFactory = _ => 1 };

        var command = new Command("latent-map", "Scatter the test set's posterior means coloured by label (PCA to 2-D when the latent has more than 2 dimensions; optional k-means colouring).")
        {
            model, data.Data, output, count, kmeans, dims, seed,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int limit = PictureInputs.AtLeast(parse, count, 0);
            int k = PictureInputs.AtLeast(parse, kmeans, 0);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            // a map of two dimensions needs two: a 1-D latent would be z[0] against itself, a diagonal line that says nothing
            if (vae.LatentSize < 2) throw new ArgumentException($"the model's latent has {vae.LatentSize} dimension; a map of two dimensions needs at least 2.", "--model");
            int[]? chosen = parse.GetValue(dims) is string text ? ParseDims(text, vae.LatentSize) : null;
            Dataset test = PictureInputs.LoadTest(parse, data, vae, limit);
            if (k > test.Count) throw new ArgumentException($"--kmeans is {k}; expected at most {test.Count} (the number of test images).", "--kmeans");
            float[] means = vae.Encode(test.Features, PictureInputs.ClassLabels(vae, test.Labels)).Mean;
            var (w, h) = ChartStyle.Save(path, Draw(means, vae.LatentSize, test.Labels, k, chosen, parse.GetValue(seed)), 1000, 800);
            Console.WriteLine($"wrote {path} ({w}×{h}: {test.Count} posterior means)");
        }));
        return command;
    }

    /// <summary>The scatter: coloured by label (one colour for unlabelled data), or by k-means cluster when <paramref name="k"/> &gt; 0.</summary>
    private static ScottPlot.Plot Draw(float[] means, int latent, int[]? labels, int k, int[]? chosen, int seed)
    {
        int n = means.Length / latent;
        double[] x = new double[n], y = new double[n];
        string title, xLabel, yLabel;
        Func<float[], (double, double)> toPlane;
        if (chosen is not null || latent <= 2)
        {
            int a = chosen?[0] ?? 0, b = chosen?[1] ?? 1;
            toPlane = centre => (centre[a], centre[b]);
            for (int i = 0; i < n; i++) (x[i], y[i]) = (means[i * latent + a], means[i * latent + b]);
            title = latent == 2 ? $"Posterior means of {n:N0} test images (2-D latent)" : $"Posterior means of {n:N0} test images: latent dims {a} and {b} of {latent}";
            (xLabel, yLabel) = ($"z[{a}]", $"z[{b}]");
        }
        else
        {
            Pca pca = Pca.Fit(means, latent);
            for (int i = 0; i < n; i++) (x[i], y[i]) = Pair(pca.Project(means.AsSpan(i * latent, latent), 2));
            toPlane = centre => Pair(pca.Project(centre, 2));
            string first = ChartStyle.Percent(pca.ExplainedRatio(0)), second = ChartStyle.Percent(pca.ExplainedRatio(1));
            title = $"PCA of {latent}-D posterior means, {n:N0} test images: PC1 + PC2 explain {ChartStyle.Percent(pca.ExplainedRatio(0) + pca.ExplainedRatio(1))} of the variance";
            (xLabel, yLabel) = ($"PC1 ({first} of variance)", $"PC2 ({second} of variance)");
        }

        if (k == 0)
        {
            return labels is null
                ? LatentMapChart.Create(x, y, new int[n], ["unlabelled"], title, xLabel, yLabel)
                : LatentMapChart.Create(x, y, labels, Enumerable.Range(0, labels.Max() + 1).Select(c => $"label {c}").ToArray(), title, xLabel, yLabel);
        }
        KMeansClustering clusters = KMeansClustering.Fit(means, latent, k, seed);
        title += $"\ncoloured by k-means cluster (k = {k} on all {latent} dims)" +
                 (labels is null ? "" : $"; purity vs labels {ChartStyle.Percent(ClusterAgreement.Measure(labels, clusters.Assignments).Purity)}");
        var names = Enumerable.Range(0, k).Select(c => labels is null ? $"cluster {c}" : $"cluster {c}: mostly {MajorityLabel(clusters.Assignments, labels, c)}").ToArray();
        return LatentMapChart.Create(x, y, clusters.Assignments, names, title, xLabel, yLabel, clusters.Centroids.Select(toPlane).ToArray());
    }

    private static (double, double) Pair(double[] v) => (v[0], v[1]);

    private static string MajorityLabel(int[] assignments, int[] labels, int cluster)
    {
        var members = Enumerable.Range(0, labels.Length).Where(i => assignments[i] == cluster).Select(i => labels[i]).ToArray();
        return members.Length == 0 ? "empty" : members.GroupBy(l => l).MaxBy(g => g.Count())!.Key.ToString(CultureInfo.InvariantCulture);
    }

    internal static int[] ParseDims(string text, int latent)
    {
        int[] dims = ModelOptions.ParseSizes(text, "--dims");
        if (dims.Length != 2 || dims[0] == dims[1] || dims.Any(d => d < 0 || d >= latent))
            throw new ArgumentException($"--dims is '{text}'; expected two different latent dimensions from 0 to {latent - 1}, e.g. 0,1.", "--dims");
        return dims;
    }
}
