using System.Diagnostics;

namespace Vae.Cli.Tests;

/// <summary>
/// Runs the built <c>vae</c> in a process of its own: for what an in-process run cannot show (the process's own
/// environment and files under HOME), and as an unprivileged user for permission checks, which the root user of a CI
/// container would pass through (it runs as uid 65534 through <c>setpriv</c> when the tests run as root).
/// </summary>
internal static class CliProcess
{
    /// <summary>Why a run as an unprivileged user cannot be made here, or null when it can.</summary>
    public static string? UnprivilegedUnavailable { get; } =
        OperatingSystem.IsWindows() ? "file permissions are Unix ones"
        : Environment.UserName != "root" ? null
        : File.Exists("/usr/bin/setpriv") ? null
        : "running as root without setpriv to drop privileges";

    /// <summary>Runs <c>vae args…</c> with <c>HOME</c> set to <paramref name="home"/>; as uid/gid 65534 when <paramref name="unprivileged"/>
    /// and the tests run as root. <paramref name="home"/> must be writable by that user.</summary>
    public static async Task<(int Exit, string Output, string Error)> Run(string home, bool unprivileged, params string[] args)
    {
        string vae = Path.Combine(AppContext.BaseDirectory, "vae.dll");
        bool drop = unprivileged && Environment.UserName == "root";
        var start = new ProcessStartInfo(drop ? "/usr/bin/setpriv" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (drop) foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(vae);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["HOME"] = home;
        start.Environment["DOTNET_CLI_HOME"] = home;
        start.Environment.Remove("ORT_DISABLE_TELEMETRY");   // as a user's shell has it
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, error);
    }

    /// <summary>A new temporary folder that any user may read and write (for an unprivileged run's HOME and outputs).</summary>
    public static string OpenFolder()
    {
        string folder = Vae.Tests.RepoPaths.NewTempFolder();
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0x1FF);   // rwxrwxrwx
        return folder;
    }
}

/// <summary>A fact that needs a run as an unprivileged user (<see cref="CliProcess"/>); skipped with the reason where none can be made.</summary>
internal sealed class UnprivilegedFactAttribute : FactAttribute
{
    public UnprivilegedFactAttribute()
    {
        if (CliProcess.UnprivilegedUnavailable is { } reason) Skip = reason;
    }
}
