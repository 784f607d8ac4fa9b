using System.CommandLine;
using Vae.Cli.Pictures;

namespace Vae.Cli.Commands;

/// <summary><c>vae curves</c>: training curves from a run's metrics.csv (no model or TorchSharp needed).</summary>
internal static class CurvesCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "Run folder holding metrics.csv (written by 'vae train'), or the CSV file itself", DefaultValueFactory = _ => "runs/mnist" };
        var output = PictureInputs.OutOption("out/curves.png");

        var command = new Command("curves", "Plot a run's per-epoch metrics (−ELBO, reconstruction, KL, and any other column of metrics.csv), one panel per quantity.")
        {
            run, output,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            string source = parse.GetValue(run)!;
            string csv = Directory.Exists(source) ? Path.Combine(source, "metrics.csv") : source;
            MetricsTable table = MetricsTable.Load(csv);
            IReadOnlyList<ScottPlot.Plot> panels = CurvesChart.Create(table);
            int columns = panels.Count == 1 ? 1 : 2;
            var (w, h) = ChartStyle.Save(path, panels, columns, 560, 380, $"Training curves: {csv} ({table.RowCount} row{(table.RowCount == 1 ? "" : "s")})");
            Console.WriteLine($"wrote {path} ({w}×{h}: {panels.Count} panels from {csv})");
        }));
        return command;
    }
}
