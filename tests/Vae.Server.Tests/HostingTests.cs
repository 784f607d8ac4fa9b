using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Vae.Server.Hosting;
using Vae.Server.Models;

namespace Vae.Server.Tests;

/// <summary>Operations around the endpoints: API key, loopback-only default, settings checked up front, bad model folders, the loading state.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task With_an_api_key_every_request_but_the_health_probes_must_carry_it()
    {
        await using TestServers server = await TestServers.StartAsync(new() { ["Serve:ApiKey"] = "s3cret" });
        using HttpResponseMessage refused = await server.Client.GetAsync("/v2/models/reference_encoder");
        Assert.Contains("requires an API key: send it in the X-API-Key header", await TestServers.ErrorAsync(refused, HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "X-API-Key", "s3cre" } } };
        await TestServers.ErrorAsync(await server.Client.SendAsync(wrong), HttpStatusCode.Unauthorized);
        using var header = new HttpRequestMessage(HttpMethod.Get, "/v2/models/reference_encoder") { Headers = { { "X-API-Key", "s3cret" } } };
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(header)).StatusCode);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") } };
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(bearer)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/live")).StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://127.0.0.2:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://192.0.2.7:8080", false)]
    public void Only_loopback_addresses_are_served_without_an_api_key(string url, bool loopback)
    {
        Assert.Equal(loopback, Exposure.IsLoopback(url));
        var open = new ServerOptions();
        if (loopback) Exposure.Check([url], open);
        else Assert.Contains($"the server would listen on {url}, beyond this machine, without an API key", Assert.Throws<ArgumentException>(() => Exposure.Check([url], open)).Message);
        Exposure.Check([url], new ServerOptions { ApiKey = "k" });
        Exposure.Check([url], new ServerOptions { AllowRemoteWithoutApiKey = true });
    }

    [Fact]
    public void Configured_addresses_come_from_urls_and_kestrel_endpoints()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:1; http://0.0.0.0:2", ["Kestrel:Endpoints:Public:Url"] = "http://*:3",
        }).Build();
        Assert.Equal(["http://127.0.0.1:1", "http://0.0.0.0:2", "http://*:3"], Exposure.Urls(configuration));
        var e = Assert.Throws<ArgumentException>(() => Vae.Server.Hosting.ServerApp.Build(new Dictionary<string, string?> { ["urls"] = "http://0.0.0.0:0" }));
        Assert.Contains("set one (Serve:ApiKey, environment variable Serve__ApiKey, or --api-key-file)", e.Message);
    }

    [Theory]
    [InlineData("Serve:MaxRowsPerRequest", "0", "Serve:MaxRowsPerRequest is 0; expected 1 or more rows.")]
    [InlineData("Serve:Provider", "gpu", "Serve:Provider is 'gpu'; expected cpu, cuda, tensorrt, directml, auto.")]
    [InlineData("Serve:Batching:MaxBatchSize", "0", "Serve:Batching:MaxBatchSize is 0; expected 1 or more rows.")]
    [InlineData("Serve:ModelBatching:mnist_encoder:MaxQueueDelayMicroseconds", "-5", "Serve:ModelBatching:mnist_encoder:MaxQueueDelayMicroseconds is -5")]
    [InlineData("Serve:MaxRowsPerReqest", "10", "MaxRowsPerReqest")]
    [InlineData("Serve:MaxRowsPerRequest", "many", "many")]
    public void Settings_are_checked_before_the_server_starts(string key, string value, string expected)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => ServerOptions.From(configuration)).Message);
    }

    [Fact]
    public void A_per_model_batching_entry_changes_only_what_it_names()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Batching:MaxBatchSize"] = "16", ["Serve:Batching:MaxQueueDelayMicroseconds"] = "300",
            ["Serve:ModelBatching:mnist_encoder:MaxBatchSize"] = "128",
        }).Build();
        ServerOptions options = ServerOptions.From(configuration);
        Assert.Equal((128, 300), (options.BatchingFor("mnist_encoder").MaxBatchSize, options.BatchingFor("mnist_encoder").MaxQueueDelayMicroseconds));
        Assert.Equal((16, 300), (options.BatchingFor("mnist_decoder").MaxBatchSize, options.BatchingFor("mnist_decoder").MaxQueueDelayMicroseconds));
    }

    /// <summary>A folder of model folders: reference (good), broken (an encoder.onnx that is not ONNX), notes (no model files).</summary>
    private static string RepositoryWithBadFolders()
    {
        string root = RepoPaths.NewTempFolder();
        string good = Directory.CreateDirectory(Path.Combine(root, "reference")).FullName;
        foreach (string file in Directory.GetFiles(TestServers.Reference, "*.onnx")) File.Copy(file, Path.Combine(good, Path.GetFileName(file)));
        string broken = Directory.CreateDirectory(Path.Combine(root, "broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "encoder.onnx"), "not a model");
        File.Copy(Path.Combine(TestServers.Reference, "decoder.onnx"), Path.Combine(broken, "decoder.onnx"));
        Directory.CreateDirectory(Path.Combine(root, "notes"));
        return root;
    }

    [Fact]
    public async Task Bad_model_folders_are_named_and_the_good_ones_served()
    {
        string root = RepositoryWithBadFolders();
        await using TestServers server = await TestServers.StartAsync(new() { ["Serve:Models"] = root });
        Assert.Equal(["reference"], server.Repository.Pairs.Keys);
        var failures = server.Repository.Failures.ToDictionary(f => Path.GetFileName(f.Folder), f => f.Error);
        Assert.Contains("encoder.onnx: not a loadable ONNX model", failures["broken"]);
        Assert.Equal("no encoder.onnx or decoder.onnx: not an exported model folder.", failures["notes"]);
        string index = await (await server.Client.PostAsync("/v2/repository/index", null)).Content.ReadAsStringAsync();
        Assert.Contains("""{"name":"broken","state":"UNAVAILABLE","reason":""", index);
        Assert.Contains("""{"name":"reference_encoder","version":"1","state":"READY"}""", index);
        Assert.Contains("vae_serve_model_folder_failures 2", await server.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Strict_refuses_to_serve_when_a_folder_is_bad_and_stops_the_application()
    {
        string root = RepositoryWithBadFolders();
        await using TestServers server = await TestServers.StartAsync(new() { ["Serve:Models"] = root, ["Serve:Strict"] = "true" }, waitReady: false);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (server.Repository.State == RepositoryState.Loading && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(RepositoryState.Failed, server.Repository.State);
        Assert.StartsWith("2 model folders did not load (--strict): ", server.Repository.FatalError);
        Assert.Contains(Path.Combine(root, "broken"), server.Repository.FatalError);
        Assert.True(server.App.Lifetime.ApplicationStopping.IsCancellationRequested, "the application was not asked to stop");
    }

    [Fact]
    public async Task While_the_models_load_the_server_is_live_but_answers_503()
    {
        var release = new TaskCompletionSource();
        await using TestServers server = await TestServers.StartAsync(beforeLoad: () => release.Task, waitReady: false);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal("the server is loading its models.", await TestServers.ErrorAsync(await server.Client.GetAsync("/v2/health/ready"), HttpStatusCode.ServiceUnavailable));
        using HttpResponseMessage infer = await server.PostJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", TestRows.Make(1), 1));
        Assert.Contains("still loading its models", await TestServers.ErrorAsync(infer, HttpStatusCode.ServiceUnavailable));
        Assert.Equal("1", infer.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString());
        await TestServers.ErrorAsync(await server.PostJsonAsync("/vae/models/reference/generate", new { count = 1 }), HttpStatusCode.ServiceUnavailable);
        release.SetResult();
        await server.WaitReadyAsync();
    }
}
