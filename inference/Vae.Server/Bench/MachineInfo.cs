using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Vae.Server.Bench;

/// <summary>Where a benchmark ran: CPU, core count, OS, .NET, and the NVIDIA GPUs that nvidia-smi lists (if any).</summary>
internal sealed record MachineInfo(
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("logical_cores")] int LogicalCores,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("dotnet")] string DotNet,
    [property: JsonPropertyName("gpus")] IReadOnlyList<string> Gpus)
{
    /// <summary>This machine's facts; a GPU list entry is nvidia-smi's "name, driver version, memory" line.</summary>
    public static MachineInfo Read() => new(CpuName(), Environment.ProcessorCount, RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription, NvidiaGpus());

    private static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static IReadOnlyList<string> NvidiaGpus()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=name,driver_version,memory.total --format=csv,noheader")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (process is null) return [];
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0) return [];
            string cuda = CudaVersion();
            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(g => cuda.Length > 0 ? $"{g}, {cuda}" : g)];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return [];  // no nvidia-smi on this machine
        }
    }

    /// <summary>"CUDA x.y" as nvidia-smi's header reports the driver's CUDA version; empty when absent.</summary>
    private static string CudaVersion()
    {
        using var process = Process.Start(new ProcessStartInfo("nvidia-smi") { RedirectStandardOutput = true, UseShellExecute = false });
        if (process is null) return "";
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        var m = System.Text.RegularExpressions.Regex.Match(text, @"CUDA Version:\s*([0-9.]+)");
        return m.Success ? $"driver CUDA {m.Groups[1].Value}" : "";
    }
}
