using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vae.Server.Hosting;
using Vae.Server.Models;

namespace Vae.Server.Tests;

/// <summary>
/// A vae-serve application in this process, on a TestServer (no socket) or on Kestrel at a free loopback port, serving
/// models/reference unless told otherwise. Dispose it to stop it.
/// </summary>
internal sealed class TestServers : IAsyncDisposable
{
    /// <summary>The committed reference model folder (a model folder itself: served as reference_encoder and reference_decoder).</summary>
    public static string Reference { get; } = Path.Combine(RepoPaths.Root, "models", "reference");

    private TestServers(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public ModelRepository Repository => App.Services.GetRequiredService<ModelRepository>();

    /// <summary>Starts a server on a TestServer; waits until it is ready unless <paramref name="waitReady"/> is false.</summary>
    public static Task<TestServers> StartAsync(Dictionary<string, string?>? settings = null, Func<Task>? beforeLoad = null, bool waitReady = true) =>
        StartAsync(settings, socket: false, beforeLoad, waitReady);

    /// <summary>Starts a server on Kestrel at http://127.0.0.1 (a free port), reached through a real socket.</summary>
    public static Task<TestServers> StartOnLoopbackAsync(Dictionary<string, string?>? settings = null) => StartAsync(settings, socket: true, null, waitReady: true);

    private static async Task<TestServers> StartAsync(Dictionary<string, string?>? settings, bool socket, Func<Task>? beforeLoad, bool waitReady)
    {
        var all = new Dictionary<string, string?> { ["Serve:Models"] = Reference, ["urls"] = "http://127.0.0.1:0", ["Logging:LogLevel:Default"] = "Warning" };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        WebApplication app = ServerApp.Build(all, builder =>
        {
            if (!socket) builder.WebHost.UseTestServer();
            builder.Logging.ClearProviders();
        }, beforeLoad);
        await app.StartAsync();
        HttpClient client = socket ? new HttpClient { BaseAddress = new Uri(app.Urls.Single()) } : app.GetTestClient();
        var server = new TestServers(app, client);
        if (waitReady) await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Polls /v2/health/ready until it answers 200 (fails after 30 s).</summary>
    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using HttpResponseMessage ready = await Client.GetAsync("/v2/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK) return;
            Assert.True(DateTime.UtcNow < deadline, $"the server was not ready after 30 s: {await ready.Content.ReadAsStringAsync()}");
            await Task.Delay(20);
        }
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="path"/>.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => Client.PostAsJsonAsync(path, body);

    /// <summary>The "error" of a protocol error answer, after checking its status.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        using JsonDocument json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("error").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
