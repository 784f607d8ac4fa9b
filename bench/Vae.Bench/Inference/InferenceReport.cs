using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Reports;
using Vae.Inference;
using Vae.Training;

namespace Vae.Bench.Inference;

/// <summary>
/// Writes <c>out/bench/inference.json</c>: each ratio under a stable key (library time ÷ other time, so below 1 means
/// the library is faster) from the paired measurement with its quartiles, the same ratios from the BenchmarkDotNet
/// means (with propagated standard errors), the allocation per span call, and 16-thread against 1-thread aggregate
/// throughput.
/// </summary>
/// <remarks>
/// The headline <c>span_alloc_bytes</c> is exact: the calling thread's allocation counter around each span operation
/// (<see cref="SpanAllocation"/>). <c>span_alloc_bytes_memory_diagnoser</c> is BenchmarkDotNet's figure, which counts
/// every thread of the process and divides an iteration's total by its calls, so one-off allocations of the process
/// (the runtime's, BenchmarkDotNet's own) show up as a few bytes per call; it is kept to compare with other
/// BenchmarkDotNet reports, not to judge the library.
/// </remarks>
internal static class InferenceReport
{
    public static string Path => System.IO.Path.Combine(BenchPaths.Output, "inference.json");

    /// <param name="summary">The BenchmarkDotNet run of <see cref="InferenceBenchmarks"/>, or null for the paired ratios alone (<c>--inference-quick</c>).</param>
    public static JsonObject Write(Summary? summary, double threadSeconds)
    {
        var json = new JsonObject();
        var details = new JsonObject();
        var bdn = new JsonObject();
        PairedComparison.Add(json);
        json["span_alloc_bytes"] = SpanAllocation.BytesPerCall(BenchPaths.ReferenceModel, InferenceBenchmarks.Options);
        if (summary is not null) json["span_alloc_bytes_memory_diagnoser"] = FromBenchmarkDotNet(summary, bdn, details);

        using (var model = VaeModel.Load(BenchPaths.ReferenceModel, InferenceBenchmarks.Options))
        {
            double one = ThreadScaling.Throughput(model, 1, threadSeconds);
            double sixteen = ThreadScaling.Throughput(model, 16, threadSeconds);
            json["threads16_vs_1_throughput"] = Round(sixteen / one);
            details["throughput_1_thread_calls_per_s"] = Round(one);
            details["throughput_16_threads_calls_per_s"] = Round(sixteen);
        }
        json["benchmarkdotnet_ratios"] = bdn;
        json["details"] = details;
        json["clock"] = $"paired ratios: {ThreadClock.Kind}; benchmarkdotnet_ratios: wall-clock time";
        json["machine"] = $"{Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
        json["model"] = "models/reference (784-256-8 MLP VAE), one intra-op thread for ONNX Runtime and TorchSharp";
        Directory.CreateDirectory(BenchPaths.Output);
        AtomicFile.WriteAllText(Path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return json;
    }

    /// <summary>Ratios from the BenchmarkDotNet means into <paramref name="bdn"/>, each case into <paramref name="details"/>; returns the largest MemoryDiagnoser figure of the library's span calls.</summary>
    private static long FromBenchmarkDotNet(Summary summary, JsonObject bdn, JsonObject details)
    {
        long spanAlloc = 0;
        foreach (string op in new[] { "encode", "decode" })
            foreach (int batch in new[] { 1, 256 })
            {
                var library = Find(summary, $"{op} library", batch);
                var raw = Find(summary, $"{op} raw", batch);
                var torch = Find(summary, $"{op} torchsharp", batch);
                AddRatio(bdn, $"{op}_b{batch}_vs_raw", library, raw);
                AddRatio(bdn, $"{op}_b{batch}_vs_torchsharp", library, torch);
                spanAlloc = Math.Max(spanAlloc, library?.Alloc ?? 0);
                foreach (var m in new[] { library, raw, torch })
                    if (m is not null)
                        details[$"{m.Name.Replace(' ', '_').Replace('+', '_')}_b{batch}"] = new JsonObject { ["mean_ns"] = Round(m.Mean), ["stderr_ns"] = Round(m.StdErr), ["alloc_bytes"] = m.Alloc };
            }
        return spanAlloc;
    }

    private sealed record Measured(string Name, double Mean, double StdErr, long Alloc);

    private static Measured? Find(Summary summary, string description, int batch)
    {
        BenchmarkReport? report = summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'') == description &&
            Equals(r.BenchmarkCase.Parameters["Batch"], batch) && r.ResultStatistics is not null);
        if (report?.ResultStatistics is null) return null;
        long alloc = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return new Measured(description, report.ResultStatistics.Mean, report.ResultStatistics.StandardError, alloc);
    }

    private static void AddRatio(JsonObject json, string key, Measured? library, Measured? other)
    {
        if (library is null || other is null) return;
        double ratio = library.Mean / other.Mean;
        double noise = ratio * Math.Sqrt(Math.Pow(library.StdErr / library.Mean, 2) + Math.Pow(other.StdErr / other.Mean, 2));
        json[key] = Round(ratio);
        json[key + "_stderr"] = Round(noise);
    }

    private static double Round(double v) => Math.Round(v, v >= 100 ? 0 : 4);

    /// <summary>One line per ratio for the console.</summary>
    public static string Describe(JsonObject json) => string.Join('\n', json
        .Where(p => p.Value is JsonValue)
        .Select(p => string.Create(CultureInfo.InvariantCulture, $"  {p.Key,-36} {p.Value}{(json[p.Key + "_quartiles"] is JsonArray q ? $"  (quartiles {q[0]}–{q[1]})" : "")}")));
}
