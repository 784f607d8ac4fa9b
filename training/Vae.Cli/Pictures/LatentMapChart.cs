using ScottPlot;

namespace Vae.Cli.Pictures;

/// <summary>A scatter plot of 2-D latent coordinates, one colour per group (label or cluster), with a legend.</summary>
internal static class LatentMapChart
{
    /// <summary>
    /// Draws point i at (<paramref name="x"/>[i], <paramref name="y"/>[i]) in the colour of <paramref name="group"/>[i]
    /// (0 … names − 1), and optional <paramref name="centres"/> as black crosses; the legend sits right of the plot unless
    /// <paramref name="legend"/> is false.
    /// </summary>
    public static Plot Create(double[] x, double[] y, int[] group, IReadOnlyList<string> groupNames, string title, string xLabel, string yLabel,
                              IReadOnlyList<(double X, double Y)>? centres = null, bool legend = true)
    {
        if (x.Length != y.Length || x.Length != group.Length)
            throw new ArgumentException($"{x.Length} x, {y.Length} y and {group.Length} group values; expected equal counts.", nameof(group));
        var plot = new Plot();
        ChartStyle.Apply(plot, title, xLabel, yLabel);
        float markerSize = x.Length > 5000 ? 3 : x.Length > 1000 ? 4 : 6;
        // Each group is drawn in several slices, interleaved with the other groups', so no colour hides the others.
        const int slices = 8;
        var members = Enumerable.Range(0, groupNames.Count).Select(g => Enumerable.Range(0, x.Length).Where(i => group[i] == g).ToArray()).ToArray();
        for (int slice = 0; slice < slices; slice++)
        {
            for (int g = 0; g < groupNames.Count; g++)
            {
                int[] part = members[g].Where((_, j) => j % slices == slice).ToArray();
                if (part.Length == 0) continue;
                var points = plot.Add.ScatterPoints(part.Select(i => x[i]).ToArray(), part.Select(i => y[i]).ToArray(), ChartStyle.GroupColor(g, groupNames.Count).WithAlpha(0.75));
                points.MarkerSize = markerSize;
                points.MarkerStyle.FillStyle.AntiAlias = false;   // crisp points, and a much smaller PNG
                points.MarkerStyle.OutlineStyle.AntiAlias = false;
                points.MarkerShape = MarkerShape.FilledSquare;
            }
        }
        for (int g = 0; g < groupNames.Count; g++)
        {
            Color color = ChartStyle.GroupColor(g, groupNames.Count);
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"{groupNames[g]}  ({members[g].Length:N0})",
                MarkerShape = MarkerShape.FilledSquare,
                MarkerSize = 11,
                MarkerFillColor = color,
                MarkerLineColor = color,
            });
        }
        if (centres is { Count: > 0 })
        {
            var crosses = plot.Add.ScatterPoints(centres.Select(c => c.X).ToArray(), centres.Select(c => c.Y).ToArray(), Colors.Black);
            crosses.MarkerShape = MarkerShape.Eks;
            crosses.MarkerSize = 14;
            crosses.MarkerLineWidth = 3;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "cluster centre", MarkerShape = MarkerShape.Eks, MarkerSize = 11, MarkerLineColor = Colors.Black, MarkerLineWidth = 2 });
        }
        if (legend) plot.ShowLegend(Edge.Right);
        else plot.HideLegend();
        return plot;
    }
}
