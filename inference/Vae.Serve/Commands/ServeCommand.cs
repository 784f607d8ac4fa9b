using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Vae.Server;
using Vae.Server.Hosting;
using Vae.Server.Models;

namespace Vae.Serve.Commands;

/// <summary>
/// <c>vae-serve [options]</c>: the HTTP model server. Options given on the command line override appsettings.json and
/// environment variables (their configuration keys are named in each description); the rest of the settings
/// (limits, per-model batching, logging) live in the configuration only.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Adds the server's options and action to <paramref name="root"/>.</summary>
    public static void AddTo(RootCommand root)
    {
        var models = new Option<string>("--models") { Description = "Folder of exported model folders, each NAME/ served as NAME_encoder and NAME_decoder (Serve:Models; default models)" };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, separated by ';' (urls / ASPNETCORE_URLS; default http://127.0.0.1:8080)" };
        var strict = new Option<bool>("--strict") { Description = "Refuse to start when a model folder does not load, instead of serving the others (Serve:Strict)" };
        var provider = new Option<string>("--provider") { Description = "cpu, cuda, tensorrt, directml or auto (Serve:Provider; default cpu)" };
        provider.AcceptOnlyFromAmong([.. ServerOptions.Providers.Keys]);
        var device = new Option<int>("--device") { Description = "GPU device id (Serve:DeviceId)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads per graph, 0: its choice (Serve:IntraOpThreads)" };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Most rows of one coalesced run of a graph (Serve:Batching:MaxBatchSize; default 64)" };
        var delay = new Option<int>("--max-queue-delay-us") { Description = "Most microseconds a request waits for others to join its batch (Serve:Batching:MaxQueueDelayMicroseconds; default 0)" };
        var noBatching = new Option<bool>("--no-batching") { Description = "Run every request on its own (Serve:Batching:Enabled false)" };
        var keyFile = new Option<string>("--api-key-file") { Description = "File holding the API key that requests must send in X-API-Key (Serve:ApiKey)" };
        foreach (Option option in new Option[] { models, urls, strict, provider, device, threads, maxBatch, delay, noBatching, keyFile }) root.Options.Add(option);

        root.SetAction(parse => ErrorLine.Run(() =>
        {
            var overrides = new Dictionary<string, string?>();
            void Set<T>(Option<T> option, string key, Func<T, string> text)
            {
                if (parse.GetResult(option) is { Implicit: false }) overrides[key] = text(parse.GetValue(option)!);
            }
            string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
            Set(models, "Serve:Models", Path.GetFullPath);
            Set(urls, "urls", u => u);
            Set(strict, "Serve:Strict", b => b ? "true" : "false");
            Set(provider, "Serve:Provider", p => p);
            Set(device, "Serve:DeviceId", Number);
            Set(threads, "Serve:IntraOpThreads", Number);
            Set(maxBatch, "Serve:Batching:MaxBatchSize", Number);
            Set(delay, "Serve:Batching:MaxQueueDelayMicroseconds", Number);
            if (parse.GetValue(noBatching)) overrides["Serve:Batching:Enabled"] = "false";
            Set(keyFile, "Serve:ApiKey", ReadKey);
            return Serve(overrides);
        }));
    }

    /// <summary>Runs the server until it is stopped (SIGTERM, Ctrl+C); 1 with the reason when it had nothing to serve.</summary>
    private static int Serve(Dictionary<string, string?> overrides)
    {
        WebApplication app = ServerApp.Build(overrides);
        ModelRepository repository = app.Services.GetRequiredService<ModelRepository>();
        app.Run(); // disposes the application when it stops: the models are released after the requests in flight
        if (repository.State != RepositoryState.Failed) return 0;
        Console.Error.WriteLine($"error: {repository.FatalError}");
        return 1;
    }

    private static string ReadKey(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--api-key-file {path}: file not found.", path);
        string key = File.ReadAllText(path).Trim();
        return key.Length > 0 ? key : throw new ArgumentException($"--api-key-file {path} is empty; expected the API key.", "--api-key-file");
    }
}
