using ScottPlot;
using Vae.Cli.Commands;
using Vae.Cli.Pictures;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae latent-map --pairs k</c>: the scatter matrix of the top k principal components.</summary>
public class LatentPairsTests
{
    private readonly string folder = RepoPaths.NewTempFolder();
    private readonly string data = RepoPaths.RequireMnist();

    [Fact]
    public void Pairs_draws_a_k_by_k_matrix_of_panels_under_a_heading()
    {
        string png = Path.Combine(folder, "pairs.png");
        var size = CliRun.Png(png, "latent-map", "--model", TestModel.Folder, "--data", data, "--out", png, "--count", "500", "--pairs", "3");
        Assert.Equal((3 * LatentPairs.PanelWidth, 34 + 3 * LatentPairs.PanelHeight), size);

        string clusters = Path.Combine(folder, "clusters.png");
        size = CliRun.Png(clusters, "latent-map", "--model", TestModel.Folder, "--data", data, "--out", clusters, "--count", "500", "--pairs", "2", "--kmeans", "4");
        Assert.Equal((2 * LatentPairs.PanelWidth, 34 + 2 * LatentPairs.PanelHeight), size);
    }

    [Fact]
    public void Pairs_out_of_range_or_with_dims_are_refused()
    {
        string png = Path.Combine(folder, "x.png");
        Assert.Contains("--pairs is 1; expected 2 to 6 (the model's latent has 8 dimensions",
                        CliRun.Failure("latent-map", "--model", TestModel.Folder, "--data", data, "--out", png, "--pairs", "1"));
        Assert.Contains("--pairs is 7; expected 2 to 6",
                        CliRun.Failure("latent-map", "--model", TestModel.Folder, "--data", data, "--out", png, "--pairs", "7"));
        Assert.Contains("--pairs and --dims both given",
                        CliRun.Failure("latent-map", "--model", TestModel.Folder, "--data", data, "--out", png, "--pairs", "3", "--dims", "0,1"));
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void The_matrix_has_scatter_panels_off_the_diagonal_and_histograms_on_it()
    {
        double[][] points = [[0, 1, 2], [1, 0, 2], [2, 2, 0], [0.5, 0.5, 0.5]];
        IReadOnlyList<Plot> panels = ScatterMatrixChart.Create(points, [0, 1, 0, 1], ["a", "b"], ["u", "v", "w"]);
        Assert.Equal(9, panels.Count);
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                var plottables = panels[r * 3 + c].GetPlottables().ToArray();
                if (r == c)
                {
                    // one step line per group, its bins counting the group's two points
                    Assert.Equal(2, plottables.Length);
                    Assert.All(plottables, p => Assert.Equal(2, Assert.IsType<ScottPlot.Plottables.Scatter>(p).Data.GetScatterPoints().Sum(point => point.Y)));
                }
                else
                    Assert.Contains(plottables, p => p is ScottPlot.Plottables.Scatter);
            }
        }
        Assert.Throws<ArgumentException>(() => ScatterMatrixChart.Create(points, [0, 1, 0, 1], ["a", "b"], ["u"]));
    }
}
