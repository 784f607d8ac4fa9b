using System.Globalization;
using ScottPlot;

namespace Vae.Cli.Pictures;

/// <summary>
/// Training curves from a <see cref="MetricsTable"/>: one panel per quantity (−ELBO, reconstruction, KL, active units,
/// learning rate, β, seconds, any other column), one line per split (train, validation, test), read by column name;
/// a second column of the same split in one panel (train_loss beside train_neg_elbo) is dashed.
/// </summary>
internal static class CurvesChart
{
    private static readonly string[] XColumns = ["epoch", "step", "iteration"];
    private static readonly (string Prefix, string Split, Color Color)[] Splits =
    [
        ("train_", "train", new ScottPlot.Palettes.Category10().GetColor(0)),
        ("val_", "validation", new ScottPlot.Palettes.Category10().GetColor(1)),
        ("valid_", "validation", new ScottPlot.Palettes.Category10().GetColor(1)),
        ("validation_", "validation", new ScottPlot.Palettes.Category10().GetColor(1)),
        ("test_", "test", new ScottPlot.Palettes.Category10().GetColor(2)),
    ];

    /// <summary>A panel's title and y-axis label for a metric name (the column name without its split prefix).</summary>
    private static (int Order, string Title, string YLabel) Panel(string metric) => metric switch
    {
        "neg_elbo" or "nelbo" or "loss" => (0, "Negative ELBO", "nats per sample"),
        "reconstruction" or "recon" or "reconstruction_loss" => (1, "Reconstruction term", "nats per sample"),
        "kl" => (2, "KL divergence", "nats per sample"),
        "nll" => (3, "Importance-sampled NLL", "nats per sample"),
        "active_units" or "active" => (4, "Active units", "latent dimensions"),
        "lr" or "learning_rate" => (5, "Learning rate", "learning rate"),
        "beta" => (6, "KL weight β", "β"),
        "seconds" or "time" or "epoch_seconds" => (7, "Time per epoch", "seconds"),
        _ => (8, metric, metric),
    };

    /// <summary>Builds the panels for every numeric column of <paramref name="table"/> except the x column.</summary>
    public static IReadOnlyList<Plot> Create(MetricsTable table)
    {
        string? xName = XColumns.FirstOrDefault(n => table[n] is not null);
        double[] x = xName is null ? Enumerable.Range(1, table.RowCount).Select(i => (double)i).ToArray() : table[xName]!;
        string xLabel = xName ?? "row";
        var panels = new SortedDictionary<(int Order, string Title), (string YLabel, List<(string Column, Color Color)> Series)>();
        foreach (string column in table.Names.Where(n => n != xName))
        {
            var split = Splits.FirstOrDefault(s => column.StartsWith(s.Prefix, StringComparison.Ordinal));
            string metric = split.Prefix is null ? column : column[split.Prefix.Length..];
            var (order, title, yLabel) = Panel(metric);
            if (!panels.TryGetValue((order, title), out var panel)) panels[(order, title)] = panel = (yLabel, []);
            panel.Series.Add((column, split.Prefix is null ? new ScottPlot.Palettes.Category10().GetColor(3 + panel.Series.Count) : split.Color));
        }

        var plots = new List<Plot>();
        foreach (var ((_, title), (yLabel, series)) in panels)
        {
            var plot = new Plot();
            ChartStyle.Apply(plot, title, xLabel, yLabel);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            // G5 keeps small values such as a learning rate of 0.001 readable (the default format rounds them to 0).
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => v.ToString("G5", CultureInfo.InvariantCulture) };
            var drawn = new HashSet<Color>();
            // The training objective (train_loss: β-weighted or IWAE) is drawn after, hence dashed beside, train_neg_elbo.
            foreach (var (column, color) in series.OrderBy(s => s.Column.EndsWith("_loss", StringComparison.Ordinal) ? 1 : 0))
            {
                double[] y = table[column]!;
                int[] rows = Enumerable.Range(0, y.Length).Where(i => double.IsFinite(y[i]) && double.IsFinite(x[i])).ToArray();
                if (rows.Length == 0) continue;
                var line = plot.Add.Scatter(rows.Select(i => x[i]).ToArray(), rows.Select(i => y[i]).ToArray(), color);
                line.LegendText = column;
                line.LineWidth = 2;
                if (!drawn.Add(color)) line.LinePattern = LinePattern.Dashed;   // e.g. train_loss beside train_neg_elbo
                line.MarkerSize = rows.Length <= 40 ? 6 : 0;
            }
            double[] values = series.SelectMany(s => table[s.Column]!).Where(double.IsFinite).ToArray();
            if (values.Length > 0 && values.Max() == values.Min())
            {
                // A constant (a fixed learning rate or β) would get ScottPlot's default ±1 range around it.
                double v = values[0], pad = v == 0 ? 1 : Math.Abs(v) * 0.5;
                plot.Axes.SetLimitsY(v - pad, v + pad);
            }
            plot.Legend.Alignment = EmptiestCorner(x, series.Select(s => table[s.Column]!).ToArray());
            plot.ShowLegend();
            plots.Add(plot);
        }
        if (plots.Count == 0) throw new InvalidDataException($"no columns to plot besides '{xLabel}'.");
        return plots;
    }

    /// <summary>The corner of the panel with the fewest points (like matplotlib's "best" legend location).</summary>
    private static Alignment EmptiestCorner(double[] x, double[][] curves)
    {
        var points = curves.SelectMany(c => c.Select((y, i) => (X: x[i], Y: y))).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        if (points.Length == 0) return Alignment.UpperRight;
        double x0 = points.Min(p => p.X), x1 = points.Max(p => p.X), y0 = points.Min(p => p.Y), y1 = points.Max(p => p.Y);
        double Nx(double v) => x1 > x0 ? (v - x0) / (x1 - x0) : 0.5;
        double Ny(double v) => y1 > y0 ? (v - y0) / (y1 - y0) : 0.5;
        (Alignment Corner, Func<double, double, bool> Inside)[] corners =
        [
            (Alignment.UpperRight, (px, py) => px > 0.5 && py > 0.7),
            (Alignment.LowerRight, (px, py) => px > 0.5 && py < 0.3),
            (Alignment.UpperLeft, (px, py) => px < 0.5 && py > 0.7),
            (Alignment.LowerLeft, (px, py) => px < 0.5 && py < 0.3),
        ];
        return corners.MinBy(c => points.Count(p => c.Inside(Nx(p.X), Ny(p.Y)))).Corner;
    }
}
