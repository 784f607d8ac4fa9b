using System.Diagnostics;

namespace Vae.Server.Tests;

/// <summary>
/// The two vae-serve applications as the solution build leaves them (inference/Vae.Serve for ONNX Runtime's CPU
/// build, inference/Vae.Serve.Gpu for its GPU build), in this test assembly's configuration, and a way to run them.
/// </summary>
internal static class ServeApps
{
    /// <summary>Release or Debug: the configuration folder this test assembly was built into.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>The output folder of an app project ("Vae.Serve" or "Vae.Serve.Gpu"), which must have been built.</summary>
    public static string Output(string project)
    {
        string folder = Path.Combine(RepoPaths.Root, "inference", project, "bin", Configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(folder, "vae-serve.dll")), $"{folder}/vae-serve.dll is missing: build the solution first (make build; make test does it).");
        return folder;
    }

    /// <summary>Runs <c>dotnet vae-serve.dll ARGS</c> of <paramref name="project"/> in the repository root; kills it after <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string project, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Output(project), "vae-serve.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"vae-serve {string.Join(' ', args)} did not finish in {timeout.TotalSeconds} s.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
