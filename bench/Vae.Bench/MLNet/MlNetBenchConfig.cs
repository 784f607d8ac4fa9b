using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Vae.Bench.MLNet;

/// <summary>
/// Short in-process job (the scans take about a second each; in-process also skips BenchmarkDotNet's per-run project
/// build, which times out on a busy 2-core machine) plus the JSON exporter for out/bench/mlnet.json.
/// </summary>
public sealed class MlNetBenchConfig : ManualConfig
{
    public MlNetBenchConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("mlnet"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(new MlNetJsonExporter());
    }
}

/// <summary>Where the benchmark finds its inputs, from the repository root (the working directory of <c>make bench</c>).</summary>
internal static class BenchPaths
{
    public static string Root { get; } = FindRoot();

    public static string Model => Environment.GetEnvironmentVariable("VAE_BENCH_MODEL") is { Length: > 0 } path ? path : Path.Combine(Root, "models", "mnist");

    public static string Mnist => Path.Combine(Root, "data", "mnist");

    private static string FindRoot()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "pipeline.sln"))) return dir.FullName;
        throw new InvalidOperationException($"pipeline.sln not found above {Environment.CurrentDirectory}.");
    }
}
