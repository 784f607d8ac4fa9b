using System.Globalization;
using System.Text.RegularExpressions;

namespace Vae.ServeLoad;

/// <summary>The server's own counts for one model, read from its /metrics: ONNX Runtime runs, rows, and seconds inside them.</summary>
internal sealed record ServerStats(double Runs, double Rows, double RunSeconds)
{
    public static async Task<ServerStats> ReadAsync(Uri server, string model)
    {
        using var client = new HttpClient { BaseAddress = server };
        string text = await client.GetStringAsync("/metrics");
        double Value(string metric) =>
            Regex.Match(text, $@"^{metric}\{{model=""{Regex.Escape(model)}""\}} (\S+)$", RegexOptions.Multiline) is { Success: true } m
                ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : 0;
        return new ServerStats(Value("vae_serve_batch_rows_count"), Value("vae_serve_batch_rows_sum"), Value("vae_serve_inference_duration_seconds_sum"));
    }

    /// <summary>What happened between <paramref name="before"/> and this reading: mean rows per run, and ONNX Runtime µs per row.</summary>
    public (double RowsPerRun, double RunUsPerRow) Since(ServerStats before)
    {
        double runs = Runs - before.Runs, rows = Rows - before.Rows;
        return (runs > 0 ? Math.Round(rows / runs, 2) : 0, rows > 0 ? Math.Round((RunSeconds - before.RunSeconds) * 1e6 / rows, 2) : 0);
    }
}
