using System.Reflection;

namespace Vae.Tests;

/// <summary>Locations shared by the test projects: the repository root, MNIST, temporary folders.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding pipeline.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The MNIST folder fetched by 'make data'.</summary>
    public static string Mnist => Path.Combine(Root, "data", "mnist");

    /// <summary>MNIST's folder, or a failure saying how to fetch it.</summary>
    public static string RequireMnist()
    {
        string path = Path.Combine(Mnist, "t10k-images-idx3-ubyte");
        Assert.True(File.Exists(path), $"MNIST is missing at {Mnist}; run 'make data' (make test does it).");
        return Mnist;
    }

    /// <summary>A new empty temporary folder.</summary>
    public static string NewTempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "vae-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A value recorded at build time with &lt;AssemblyMetadata&gt;.</summary>
    public static string? BuildMetadata(string key) =>
        Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "pipeline.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"pipeline.sln not found above {AppContext.BaseDirectory}.");
    }
}
