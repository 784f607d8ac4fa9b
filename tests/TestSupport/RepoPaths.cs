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

    private static string TempRoot => Path.Combine(Path.GetTempPath(), "vae-tests");

    /// <summary>
    /// A new empty temporary folder, deleted with everything in it when the test process exits. (The test host may be
    /// stopped before that finishes; folders an earlier run left behind are deleted after an hour.)
    /// </summary>
    public static string NewTempFolder()
    {
        string path = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        lock (TempFolders) TempFolders.Add(path);
        return path;
    }

    private static readonly List<string> TempFolders = NewTempFolderList();

    private static List<string> NewTempFolderList()
    {
        if (Directory.Exists(TempRoot))
            foreach (DirectoryInfo stale in new DirectoryInfo(TempRoot).GetDirectories().Where(d => d.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)))
                TryDelete(stale.FullName);
        var folders = new List<string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (folders) folders.ForEach(TryDelete);
        };
        return folders;
    }

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }                  // in use elsewhere: a later run deletes it
        catch (UnauthorizedAccessException) { }
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
