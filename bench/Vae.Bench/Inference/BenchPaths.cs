namespace Vae.Bench.Inference;

/// <summary>Where the benchmarks find the committed reference model and write their results.</summary>
internal static class BenchPaths
{
    public static string Root { get; } = FindRoot();

    public static string ReferenceModel => Path.Combine(Root, "models", "reference");

    public static string Output => Path.Combine(Root, "out", "bench");

    private static string FindRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "pipeline.sln"))) return dir.FullName;
        throw new InvalidOperationException($"pipeline.sln not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; run from the repository.");
    }
}
