using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vae.ServeLoad;

/// <summary>The built vae-serve as a child process on a free loopback port; disposing it stops it with SIGTERM (killed if it lingers).</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => process.Id;

    /// <summary>Starts <paramref name="program"/> (vae-serve.dll) on <paramref name="models"/> with extra configuration in <paramref name="environment"/>, and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartAsync(string program, string models, IReadOnlyDictionary<string, string> environment)
    {
        if (!File.Exists(program)) throw new FileNotFoundException($"{program}: not built; run make build first.", program);
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { program, "--models", models, "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(arg);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"vae-serve: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = server.Address };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/v2/health/ready")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { } // not listening yet
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                server.Dispose();
                throw new IOException($"vae-serve did not become ready in 60 s (exit code {(process.HasExited ? process.ExitCode : "none: still running")}).");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The server's resident memory in bytes (VmRSS of /proc/PID/status).</summary>
    public long ResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidDataException($"/proc/{process.Id}/status has no VmRSS line.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            using (Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) { }
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }
}
