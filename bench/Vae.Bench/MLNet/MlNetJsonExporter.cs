using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace Vae.Bench.MLNet;

/// <summary>
/// Writes out/bench/mlnet.json from a run of <see cref="MlNetBenchmarks"/>: rows per second of each scan and single-row
/// prediction latency of both (BenchmarkDotNet means, with relative standard deviations), and the speed-ups over
/// ApplyOnnxModel from <see cref="MlNetPaired"/>'s alternating rounds.
/// </summary>
public sealed class MlNetJsonExporter : IExporter
{
    public string Name => "mlnet-json";

    public void ExportToLog(Summary summary, ILogger logger) { }

    public IEnumerable<string> ExportToFiles(Summary summary, ILogger consoleLogger)
    {
        var byMethod = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name, r => r.ResultStatistics!);
        string[] needed = [nameof(MlNetBenchmarks.ScanVaeEmbedding), nameof(MlNetBenchmarks.ScanApplyOnnx), nameof(MlNetBenchmarks.PredictVaeEmbedding), nameof(MlNetBenchmarks.PredictApplyOnnx)];
        if (needed.Any(m => !byMethod.ContainsKey(m)))
        {
            consoleLogger.WriteLineInfo($"mlnet.json not written: it needs all of {string.Join(", ", needed)} in one run.");
            return [];
        }

        double ScanSeconds(string m) => byMethod[m].Mean / 1e9;
        double Micros(string m) => byMethod[m].Mean / 1e3;
        double RelativeSd(string m) => byMethod[m].StandardDeviation / byMethod[m].Mean;
        consoleLogger.WriteLineInfo($"mlnet.json: timing both sides in {MlNetPaired.Rounds} alternating rounds for the speed-ups…");
        var (scan, predict) = MlNetPaired.Measure();
        static double[] Round(Quartiles q) => [Math.Round(q.Q1, 2), Math.Round(q.Median, 2), Math.Round(q.Q3, 2)];
        var result = new Dictionary<string, object>
        {
            ["rows"] = MlNetBenchmarks.Rows,
            ["model"] = Path.GetFullPath(BenchPaths.Model),
            ["scan_rows_per_s"] = Math.Round(MlNetBenchmarks.Rows / ScanSeconds(needed[0])),
            ["applyonnx_scan_rows_per_s"] = Math.Round(MlNetBenchmarks.Rows / ScanSeconds(needed[1])),
            // Speed-ups: median of per-round ratios from alternating rounds (steady on a loaded machine), with [Q1, median, Q3].
            ["scan_speedup_vs_applyonnx"] = Math.Round(scan.Median, 2),
            ["scan_speedup_quartiles"] = Round(scan),
            ["predict_latency_us"] = Math.Round(Micros(needed[2]), 2),
            ["applyonnx_predict_latency_us"] = Math.Round(Micros(needed[3]), 2),
            ["predict_speedup_vs_applyonnx"] = Math.Round(predict.Median, 2),
            ["predict_speedup_quartiles"] = Round(predict),
            // The same ratios from the separate BenchmarkDotNet means, which drift apart when the load changes.
            ["scan_speedup_from_means"] = Math.Round(ScanSeconds(needed[1]) / ScanSeconds(needed[0]), 2),
            ["predict_speedup_from_means"] = Math.Round(Micros(needed[3]) / Micros(needed[2]), 2),
            ["relative_sd"] = needed.ToDictionary(m => m, m => Math.Round(RelativeSd(m), 3)),
            ["processor_count"] = Environment.ProcessorCount,
            ["measured_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        string path = Path.Combine(BenchPaths.Root, "out", "bench", "mlnet.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
        consoleLogger.WriteLineInfo($"wrote {path}");
        return [path];
    }
}
