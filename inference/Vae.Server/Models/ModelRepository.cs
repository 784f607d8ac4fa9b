using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Vae.Inference;
using Vae.Server.Batching;
using Vae.Server.Hosting;
using Vae.Server.Observability;
using Vae.Server.Oip;

namespace Vae.Server.Models;

/// <summary>Where the server stands with its models.</summary>
public enum RepositoryState
{
    /// <summary>Model folders are being loaded: live, not ready.</summary>
    Loading,
    /// <summary>Serving.</summary>
    Ready,
    /// <summary>Shutting down: requests in flight finish, readiness is 503.</summary>
    Stopping,
    /// <summary>Nothing can be served (see <see cref="ModelRepository.FatalError"/>); the server stops with exit code 1.</summary>
    Failed,
}

/// <summary>A model folder that did not load, and why.</summary>
public sealed record FolderFailure(string Folder, string Error);

/// <summary>
/// The models a server serves: every exported model folder under <see cref="ServerOptions.Models"/> (or that folder
/// itself when it is one), loaded once at start; a bad folder is reported by name and skipped, or stops the server with
/// <see cref="ServerOptions.Strict"/>. Owns the pairs and their batchers: dispose it after the requests in flight finish.
/// </summary>
public sealed partial class ModelRepository : IDisposable
{
    private readonly ServerOptions options;
    private readonly ServerMetrics metrics;
    private readonly ILogger<ModelRepository> logger;
    private readonly Dictionary<string, ServedPair> pairs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServedGraph> graphs = new(StringComparer.Ordinal);
    private readonly List<FolderFailure> failures = [];
    private volatile RepositoryState state = RepositoryState.Loading;

    public ModelRepository(ServerOptions options, ServerMetrics metrics, ILogger<ModelRepository> logger)
    {
        this.options = options;
        this.metrics = metrics;
        this.logger = logger;
    }

    public RepositoryState State => state;

    /// <summary>Why nothing can be served, once <see cref="State"/> is <see cref="RepositoryState.Failed"/>.</summary>
    public string? FatalError { get; private set; }

    /// <summary>Served pairs by folder name (complete once <see cref="State"/> is Ready).</summary>
    public IReadOnlyDictionary<string, ServedPair> Pairs => pairs;

    /// <summary>Served graphs by OIP model name.</summary>
    public IReadOnlyDictionary<string, ServedGraph> Graphs => graphs;

    /// <summary>Folders that did not load.</summary>
    public IReadOnlyList<FolderFailure> Failures => failures;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex ModelName();

    /// <summary>Loads every model folder; ends Ready, or Failed with <see cref="FatalError"/> set. Call once.</summary>
    public void Load()
    {
        try
        {
            LoadFolders();
        }
        catch (Exception e) when (Vae.Server.ErrorLine.IsExpected(e))
        {
            Fail(e.Message);
        }
    }

    private void LoadFolders()
    {
        string root = Path.GetFullPath(options.Models);
        if (!Directory.Exists(root))
        {
            Fail($"the model folder {root} does not exist ({ServerOptions.Section}:{nameof(ServerOptions.Models)} or --models); expected a folder of exported models (make demo writes models/mnist).");
            return;
        }
        var folders = File.Exists(Path.Combine(root, VaeModel.EncoderFile))
            ? [root]
            : new DirectoryInfo(root).GetDirectories().Where(d => !d.Name.StartsWith('.')).Select(d => d.FullName).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            Fail($"{root} holds no model folders; expected NAME/encoder.onnx and NAME/decoder.onnx for each model (written by 'vae export').");
            return;
        }
        VaeSessionOptions session = options.SessionOptions;
        foreach (string folder in folders)
        {
            string name = Path.GetFileName(folder);
            string? error = LoadFolder(name, folder, session);
            if (error is null) continue;
            failures.Add(new FolderFailure(folder, error));
            logger.LogError("Model folder {Folder} was not loaded: {Reason}", folder, error);
        }
        metrics.FolderFailures(failures.Count);
        if (options.Strict && failures.Count > 0)
            Fail($"{failures.Count} model folder{(failures.Count == 1 ? "" : "s")} did not load (--strict): {string.Join("; ", failures.Select(f => $"{f.Folder}: {f.Error}"))}");
        else if (pairs.Count == 0)
            Fail($"none of the {folders.Count} folders under {root} loaded: {string.Join("; ", failures.Select(f => $"{f.Folder}: {f.Error}"))}");
        else if (state == RepositoryState.Loading)
            state = RepositoryState.Ready; // not when shutdown began during the load
    }

    /// <summary>Loads one folder; returns why it failed, or null.</summary>
    private string? LoadFolder(string name, string folder, VaeSessionOptions session)
    {
        if (!ModelName().IsMatch(name))
            return $"the folder name '{name}' cannot be a model name; expected letters, digits, '_', '-' and '.' (starting with a letter or digit).";
        if (!File.Exists(Path.Combine(folder, VaeModel.EncoderFile)) && !File.Exists(Path.Combine(folder, VaeModel.DecoderFile)))
            return $"no {VaeModel.EncoderFile} or {VaeModel.DecoderFile}: not an exported model folder.";
        ServedPair pair;
        try
        {
            pair = ServedPair.Load(name, folder, session);
        }
        catch (Exception e) when (e is VaeModelException or ExecutionProviderException or IOException or UnauthorizedAccessException)
        {
            return Vae.Server.ErrorLine.OneLine(e.Message);
        }
        pairs.Add(name, pair);
        foreach (GraphModel graph in new[] { pair.Encoder, pair.Decoder })
        {
            graphs.Add(graph.Name, new ServedGraph(graph, options.BatchingFor(graph.Name), metrics));
            metrics.Ready(graph.Name, true);
        }
        logger.LogInformation("Serving {Model} from {Folder} as {Encoder} and {Decoder} on {Provider}; input [{InputShape}], latent {Latent}, {Classes} classes",
            name, folder, pair.Encoder.Name, pair.Decoder.Name, pair.Vae.Provider, string.Join(",", pair.Vae.Info.InputShape), pair.Vae.LatentSize, pair.Vae.Classes);
        return null;
    }

    private void Fail(string error)
    {
        FatalError = Vae.Server.ErrorLine.OneLine(error);
        state = RepositoryState.Failed;
        logger.LogCritical("Nothing to serve: {Error}", FatalError);
    }

    /// <summary>Readiness goes to 503 while the requests in flight finish.</summary>
    public void MarkStopping()
    {
        if (state == RepositoryState.Ready || state == RepositoryState.Loading) state = RepositoryState.Stopping;
        foreach (string name in graphs.Keys) metrics.Ready(name, false);
    }

    /// <summary>The OIP model <paramref name="name"/>.</summary>
    /// <exception cref="ProtocolException">404 for an unknown name; 503 while loading or stopping.</exception>
    public ServedGraph Graph(string name)
    {
        EnsureServing();
        return graphs.TryGetValue(name, out ServedGraph? graph)
            ? graph
            : throw ProtocolException.NotFound($"unknown model '{name}'; this server has {string.Join(", ", graphs.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>The pair of folder <paramref name="name"/>, for the VAE operations.</summary>
    /// <exception cref="ProtocolException">404 for an unknown name; 503 while loading or stopping.</exception>
    public ServedPair Pair(string name)
    {
        EnsureServing();
        return pairs.TryGetValue(name, out ServedPair? pair)
            ? pair
            : throw ProtocolException.NotFound($"unknown model '{name}'; the VAE operations serve {string.Join(", ", pairs.Keys.Order(StringComparer.Ordinal))}.");
    }

    private void EnsureServing()
    {
        switch (state)
        {
            case RepositoryState.Loading: throw ProtocolException.Unavailable("the server is still loading its models; retry when /v2/health/ready answers 200.");
            case RepositoryState.Stopping: throw ProtocolException.Unavailable("the server is shutting down.");
            case RepositoryState.Failed: throw ProtocolException.Unavailable($"the server has no model to serve: {FatalError}");
        }
    }

    /// <summary>Stops the batchers (they finish what is queued), then releases every pair.</summary>
    public void Dispose()
    {
        foreach (ServedGraph graph in graphs.Values) graph.Dispose();
        foreach (ServedPair pair in pairs.Values) pair.Dispose();
        graphs.Clear();
        pairs.Clear();
    }
}
