using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Vae.Inference;

namespace Vae.Server.Tests;

/// <summary>
/// The server on Kestrel over real loopback sockets: in this process (infer, graceful shutdown), and as the built
/// vae-serve program (--help, serving until SIGTERM, exit codes).
/// </summary>
public sealed class LoopbackTests
{
    [Fact]
    public async Task Infer_over_a_loopback_socket_equals_the_library()
    {
        await using TestServers server = await TestServers.StartOnLoopbackAsync();
        Assert.StartsWith("http://127.0.0.1:", server.Client.BaseAddress!.ToString());
        using VaeModel model = VaeModel.Load(TestServers.Reference);
        float[] x = TestRows.Make(5);
        using HttpResponseMessage response = await server.Client.PostAsync("/v2/models/reference_encoder/infer", Infer.Binary("x", x, 5));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(model.Encode(x).Mean, (await Infer.BinaryOutputsAsync(response))["mean"].Data);
    }

    [Fact]
    public async Task Shutdown_finishes_the_requests_in_flight_then_stops_listening()
    {
        await using TestServers server = await TestServers.StartOnLoopbackAsync(new()
        {
            ["Serve:ModelBatching:reference_encoder:MaxQueueDelayMicroseconds"] = "1500000", // the request waits 1.5 s for company
        });
        using VaeModel model = VaeModel.Load(TestServers.Reference);
        float[] x = TestRows.Make(1);
        var clock = Stopwatch.StartNew();
        Task<HttpResponseMessage> inFlight = server.PostJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", x, 1));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await server.Client.GetStringAsync("/metrics")).Contains("vae_serve_queue_requests{model=\"reference_encoder\"} 1"))
        {
            Assert.True(DateTime.UtcNow < deadline && !inFlight.IsCompleted, "the request never waited for its run");
            await Task.Delay(10);
        }
        Task stopping = server.App.StopAsync();
        using HttpResponseMessage response = await inFlight;
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(model.Encode(x).Mean, Infer.Outputs(text)["mean"].Data);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1.2), "the request did not wait in the queue");
        await stopping;
        using var fresh = new HttpClient { BaseAddress = server.Client.BaseAddress };
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/v2/health/live"));
    }

    [Fact]
    public void Help_lists_the_server_options_beside_bench()
    {
        var (exit, stdout, _) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(1), "--help");
        Assert.Equal(0, exit);
        foreach (string option in new[] { "--models", "--urls", "--strict", "--provider", "--max-batch-size", "--max-queue-delay-us", "--no-batching", "--api-key-file", "bench" })
            Assert.Contains(option, stdout);
        Assert.Contains("appsettings.json", stdout);
    }

    [Theory]
    [InlineData(2, "--max-batch-size", "many")]
    [InlineData(2, "--provider", "gpu")]
    [InlineData(1, "--urls", "http://0.0.0.0:0")]
    [InlineData(1, "--api-key-file", "no-such-key-file")]
    public void Bad_command_lines_are_one_error_line_and_an_exit_code(int code, string option, string value)
    {
        var (exit, _, stderr) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(1), "--models", "models/reference", option, value);
        Assert.Equal(code, exit);
        Assert.StartsWith("error: ", stderr);
        if (code == 1) Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_strict_server_with_a_bad_folder_exits_1_naming_it()
    {
        string root = RepoPaths.NewTempFolder();
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        var (exit, _, stderr) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(1), "--models", root, "--strict", "--urls", $"http://127.0.0.1:{FreePort()}");
        Assert.Equal(1, exit);
        Assert.Equal($"error: 1 model folder did not load (--strict): {Path.Combine(root, "empty")}: no encoder.onnx or decoder.onnx: not an exported model folder.",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task The_built_program_serves_on_loopback_and_stops_cleanly_on_sigterm()
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(ServeApps.Output("Vae.Serve"), "vae-serve.dll"), "--models", "models/reference", "--urls", $"http://127.0.0.1:{port}" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await client.GetAsync("/v2/health/ready")).StatusCode == HttpStatusCode.OK) break;
                }
                catch (HttpRequestException) { } // not listening yet
                Assert.True(DateTime.UtcNow < deadline && !process.HasExited, $"vae-serve was not ready in 60 s: {await Finished(process, stderr)}");
                await Task.Delay(100);
            }
            using HttpResponseMessage response = await client.PostAsJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", TestRows.Make(1), 1));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using (Process.Start("kill", ["-TERM", process.Id.ToString()])) { }
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "vae-serve did not stop within 30 s of SIGTERM");
            Assert.True(process.ExitCode == 0, await stderr);
            string log = await stdout;
            Assert.Contains("\"Category\":\"Vae.Server.Models.ModelRepository\"", log); // structured (JSON) log lines
            Assert.Contains("\"Model\":\"reference\"", log);
            Assert.Contains("Application is shutting down", log);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<string> Finished(Process process, Task<string> stderr) => process.HasExited ? await stderr : "still running";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
