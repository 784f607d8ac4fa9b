using System.Diagnostics;
using System.Text.Json;

namespace Vae.Server.Tests;

/// <summary>The self-contained CPU bundle (what <c>make publish</c> writes) runs its benchmark with no .NET on PATH.</summary>
public class PublishTests
{
    [Fact]
    public void The_self_contained_cpu_bundle_benchmarks_without_dotnet_on_path()
    {
        string bundle = Path.Combine(RepoPaths.NewTempFolder(), "vae-serve-cpu-linux-x64");
        Run("dotnet", RepoPaths.Root, null, "publish", "inference/Vae.Serve/Vae.Serve.csproj", "-c", ServeApps.Configuration,
            "-r", "linux-x64", "--self-contained", "-nologo", "-v:q", "-o", bundle);
        Assert.True(File.Exists(Path.Combine(bundle, "libcoreclr.so")), "the bundle carries its own .NET runtime");

        string stdout = Run(Path.Combine(bundle, "vae-serve"), RepoPaths.NewTempFolder(), "/nonexistent",
            "bench", "--model", Path.Combine(RepoPaths.Root, "models", "reference"), "--provider", "cpu", "--json",
            "--iterations", "10", "--seconds", "0.1", "--large-batch", "256", "--anomaly-images", "10", "--anomaly-samples", "2", "--parity-rows", "10");
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.Equal("cpu", json.RootElement.GetProperty("provider").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("parity_max_abs_diff_vs_cpu").GetDouble());
    }

    /// <summary>Runs a program; with <paramref name="path"/> set, the environment holds only PATH (no DOTNET_* variables).</summary>
    private static string Run(string program, string folder, string? path, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        if (path is not null)
        {
            start.Environment.Clear();
            start.Environment["PATH"] = path;
            start.Environment["HOME"] = folder;
        }
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
