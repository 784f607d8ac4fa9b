using Microsoft.Extensions.Configuration;
using Vae.Inference;

namespace Vae.Server.Hosting;

/// <summary>
/// The server's settings: the <c>Serve</c> section of the configuration (appsettings.json, environment variables such as
/// <c>Serve__ApiKey</c>, then the command line, each overriding the one before). <see cref="Validate"/> checks them up front.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string Section = "Serve";

    /// <summary>Folder of exported model folders (each NAME/ holding encoder.onnx and decoder.onnx), or one model folder.</summary>
    public string Models { get; set; } = "models";

    /// <summary>Whether a bad model folder stops the server (exit code 1) instead of being reported and skipped.</summary>
    public bool Strict { get; set; }

    /// <summary>Execution provider: cpu, cuda, tensorrt, directml or auto (the first GPU provider that starts, else cpu).</summary>
    public string Provider { get; set; } = "cpu";

    /// <summary>GPU device id for the GPU providers.</summary>
    public int DeviceId { get; set; }

    /// <summary>ONNX Runtime intra-op threads per graph (0: ONNX Runtime's choice, one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Whether idle ONNX Runtime threads spin. Off by default: a server shares its cores with HTTP work.</summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Whether NaN and ±Infinity inputs reach the graphs (default false: they are a 400 naming the first one).</summary>
    public bool AllowNonFinite { get; set; }

    /// <summary>
    /// API key that every request except the health probes must carry in the <c>X-API-Key</c> header (or as
    /// <c>Authorization: Bearer KEY</c>); empty: no key, and then the server listens on loopback addresses only.
    /// </summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Allows listening beyond loopback without an API key (behind a gateway that authenticates).</summary>
    public bool AllowRemoteWithoutApiKey { get; set; }

    /// <summary>Largest request body in bytes; a larger one is answered 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Most rows (samples) one request may carry or ask for; more is a 400.</summary>
    public int MaxRowsPerRequest { get; set; } = 4096;

    /// <summary>Most decoder samples one anomaly-score request may ask for: rows × samples.</summary>
    public long MaxScoreDraws { get; set; } = 1_000_000;

    /// <summary>Most iterations of one denoise or impute request.</summary>
    public int MaxIterations { get; set; } = 1000;

    /// <summary>Seconds that a shutdown (SIGTERM, Ctrl+C) waits for requests in flight before it stops anyway.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>Dynamic batching of every graph (OIP infer requests), unless <see cref="ModelBatching"/> overrides it.</summary>
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Per-model batching overrides by OIP model name (<c>Serve:ModelBatching:mnist_encoder:MaxBatchSize</c>); unset keys keep <see cref="Batching"/>'s values.</summary>
    public Dictionary<string, BatchingOptions> ModelBatching { get; set; } = [];

    /// <summary>The provider named by <see cref="Provider"/>.</summary>
    public ExecutionProvider ExecutionProvider => Providers[Provider.ToLowerInvariant()];

    /// <summary>Provider names the server accepts.</summary>
    public static readonly IReadOnlyDictionary<string, ExecutionProvider> Providers = new Dictionary<string, ExecutionProvider>
    {
        ["cpu"] = ExecutionProvider.Cpu, ["cuda"] = ExecutionProvider.Cuda, ["tensorrt"] = ExecutionProvider.TensorRT,
        ["directml"] = ExecutionProvider.DirectML, ["auto"] = ExecutionProvider.Auto,
    };

    /// <summary>The session options every pair and graph is loaded with.</summary>
    public VaeSessionOptions SessionOptions => new()
    {
        Provider = ExecutionProvider, DeviceId = DeviceId, IntraOpThreads = IntraOpThreads, AllowSpinning = AllowSpinning,
        AllowNonFinite = AllowNonFinite, Strict = true,
    };

    /// <summary>
    /// Reads the <see cref="Section"/> section of <paramref name="configuration"/> and validates it. A per-model batching
    /// entry starts from <see cref="Batching"/>, so it names only what differs.
    /// </summary>
    /// <exception cref="ArgumentException">A value does not convert, a key is unknown (a typo), or a value is out of range.</exception>
    public static ServerOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(Section);
        try
        {
            var options = section.Get<ServerOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new ServerOptions();
            foreach (IConfigurationSection model in section.GetSection(nameof(ModelBatching)).GetChildren())
            {
                BatchingOptions own = options.Batching.Copy();
                model.Bind(own, o => o.ErrorOnUnknownConfiguration = true);
                options.ModelBatching[model.Key] = own;
            }
            return options.Validate();
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"configuration section '{Section}': {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}", nameof(configuration), e);
        }
    }

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the setting, its value and what is expected.</summary>
    public ServerOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Models)) throw Bad(nameof(Models), "''", "a folder of exported models");
        if (!Providers.ContainsKey(Provider.ToLowerInvariant())) throw Bad(nameof(Provider), $"'{Provider}'", string.Join(", ", Providers.Keys));
        if (DeviceId < 0) throw Bad(nameof(DeviceId), DeviceId, "a device index of 0 or more");
        if (IntraOpThreads < 0 || IntraOpThreads > VaeSessionOptions.MaxThreads) throw Bad(nameof(IntraOpThreads), IntraOpThreads, $"0 (automatic) to {VaeSessionOptions.MaxThreads}");
        if (MaxRequestBodyBytes < 1024) throw Bad(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "at least 1024 bytes");
        if (MaxRowsPerRequest < 1) throw Bad(nameof(MaxRowsPerRequest), MaxRowsPerRequest, "1 or more rows");
        if (MaxScoreDraws < 1) throw Bad(nameof(MaxScoreDraws), MaxScoreDraws, "1 or more");
        if (MaxIterations < 1) throw Bad(nameof(MaxIterations), MaxIterations, "1 or more");
        if (!(ShutdownTimeoutSeconds >= 0) || double.IsInfinity(ShutdownTimeoutSeconds)) throw Bad(nameof(ShutdownTimeoutSeconds), ShutdownTimeoutSeconds, "a finite number of seconds ≥ 0");
        Batching.Validate($"{Section}:{nameof(Batching)}");
        foreach (var (model, batching) in ModelBatching) batching.Validate($"{Section}:{nameof(ModelBatching)}:{model}");
        return this;
    }

    /// <summary>The batching of the OIP model <paramref name="model"/>: its override when there is one, else <see cref="Batching"/>.</summary>
    public BatchingOptions BatchingFor(string model) => ModelBatching.TryGetValue(model, out BatchingOptions? own) ? own : Batching;

    internal static ArgumentException Bad(string setting, object? value, string expected) =>
        new($"{Section}:{setting} is {value}; expected {expected}.", setting);
}
