using ScottPlot;

namespace Vae.Cli.Pictures;

/// <summary>
/// A scatter matrix of k coordinates: panel (r, c) plots coordinate c against coordinate r, and the diagonal panel r
/// holds each group's histogram of coordinate r (how the groups spread along it). The panels are laid out row by row
/// for <see cref="ChartStyle.Save(string, IReadOnlyList{Plot}, int, int, int, string?)"/> with k columns.
/// </summary>
internal static class ScatterMatrixChart
{
    /// <summary>Bins of each diagonal histogram.</summary>
    public const int Bins = 40;

    /// <summary>
    /// The k × k panels for points <paramref name="coordinates"/>[i] (each of length k = <paramref name="axisNames"/>.Count),
    /// coloured by <paramref name="group"/>[i] (0 … names − 1); the legend sits in the first row's last panel.
    /// </summary>
    public static IReadOnlyList<Plot> Create(double[][] coordinates, int[] group, IReadOnlyList<string> groupNames, IReadOnlyList<string> axisNames)
    {
        int k = axisNames.Count;
        if (k < 2) throw new ArgumentException($"a scatter matrix of {k} coordinate is one histogram; expected at least 2 coordinates.", nameof(axisNames));
        if (coordinates.Length != group.Length || coordinates.Any(p => p.Length != k))
            throw new ArgumentException($"{coordinates.Length} points and {group.Length} group values, each point of {k} coordinates expected.", nameof(coordinates));
        var plots = new List<Plot>();
        for (int r = 0; r < k; r++)
        {
            for (int c = 0; c < k; c++)
            {
                Plot plot;
                if (r == c)
                {
                    plot = Histograms(coordinates.Select(p => p[r]).ToArray(), group, groupNames.Count);
                    ChartStyle.Apply(plot, $"{axisNames[r]}: histogram per group", axisNames[r], "count");
                }
                else
                {
                    double[] x = coordinates.Select(p => p[c]).ToArray(), y = coordinates.Select(p => p[r]).ToArray();
                    plot = LatentMapChart.Create(x, y, group, groupNames, $"{axisNames[r]} against {axisNames[c]}", axisNames[c], axisNames[r],
                                                 legend: r == 0 && c == k - 1);
                }
                plots.Add(plot);
            }
        }
        return plots;
    }

    /// <summary>One step line per group: the counts of <paramref name="values"/> in <see cref="Bins"/> equal bins over their range.</summary>
    private static Plot Histograms(double[] values, int[] group, int groups)
    {
        var plot = new Plot();
        double min = values.Min(), max = values.Max();
        double width = max > min ? (max - min) / Bins : 1;
        double[] edges = Enumerable.Range(0, Bins).Select(b => min + b * width).ToArray();
        for (int g = 0; g < groups; g++)
        {
            var counts = new double[Bins];
            for (int i = 0; i < values.Length; i++)
                if (group[i] == g) counts[Math.Min(Bins - 1, (int)((values[i] - min) / width))]++;
            if (counts.All(n => n == 0)) continue;
            var line = plot.Add.ScatterLine(edges, counts, ChartStyle.GroupColor(g, groups));
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 1.5f;
        }
        return plot;
    }
}
