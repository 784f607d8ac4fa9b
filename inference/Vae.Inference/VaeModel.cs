using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Vae.Inference.Native;

namespace Vae.Inference;

/// <summary>
/// An exported encoder/decoder pair loaded into ONNX Runtime. One instance is safe to use from many threads at
/// once; every operation has an allocation-free form over spans and a convenience form returning new arrays
/// (owned by the caller, nothing to dispose). The instance owns two native sessions: dispose it when done
/// (<see cref="Dispose"/> waits for calls in flight; later calls throw <see cref="ObjectDisposedException"/>).
/// </summary>
public sealed partial class VaeModel : IDisposable
{
    /// <summary>File names inside a model folder.</summary>
    public const string EncoderFile = "encoder.onnx", DecoderFile = "decoder.onnx";

    private readonly GraphRunner encoder;
    private readonly GraphRunner decoder;
    private readonly GraphRunner likelihoodDecoder;
    private readonly bool sigmoidInLibrary;
    private readonly float[]? pixelLogvar;
    private readonly bool allowNonFinite;
    private VaeHierarchy? hierarchy;
    private int activeCalls;
    private int disposed;

    /// <param name="decoder">Fetches what callers get: probabilities (the graph's <c>probs</c>), logits (turned into
    /// probabilities here when <paramref name="sigmoidInLibrary"/>) or means. Owns the decoder session.</param>
    /// <param name="likelihoodDecoder">Fetches logits or means for likelihoods; <paramref name="decoder"/> itself when
    /// that one already does, else a second runner over the same session that does not own it.</param>
    /// <param name="pixelLogvar">A Gaussian decoder's learned per-pixel log-variance, or null for a fixed σ.</param>
    private VaeModel(GraphRunner encoder, GraphRunner decoder, GraphRunner likelihoodDecoder, bool sigmoidInLibrary, float[]? pixelLogvar,
        VaeModelInfo info, VaeSessionOptions options, ExecutionProvider provider, string report)
    {
        this.pixelLogvar = pixelLogvar;
        this.encoder = encoder;
        this.decoder = decoder;
        this.likelihoodDecoder = likelihoodDecoder;
        this.sigmoidInLibrary = sigmoidInLibrary;
        Info = info;
        Options = options;
        allowNonFinite = options.AllowNonFinite;
        Provider = provider;
        ProviderReport = report;
    }

    /// <summary>Facts read from the ONNX metadata.</summary>
    public VaeModelInfo Info { get; }

    /// <summary>
    /// A Gaussian decoder's learned per-pixel log-variance (its graph's <c>logvar</c> output; <see cref="InputSize"/>
    /// values), used by the likelihoods of <see cref="ScoreAnomalies(ReadOnlySpan{float}, Span{AnomalyScore}, int, long, ReadOnlySpan{int})"/>
    /// and <see cref="ReconstructionError(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{int})"/>; empty for Bernoulli decoders and
    /// for a fixed σ (<see cref="VaeModelInfo.GaussianSigma"/>).
    /// </summary>
    public ReadOnlySpan<float> PixelLogvar => pixelLogvar;

    /// <summary>The options the model was loaded with.</summary>
    public VaeSessionOptions Options { get; }

    /// <summary>The execution provider actually running the graphs (never <see cref="ExecutionProvider.Auto"/>).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>How the provider was chosen: providers tried, why each one that was skipped was skipped.</summary>
    public string ProviderReport { get; }

    /// <summary>Whether calls go through the allocation-free native run path (true with the ONNX Runtime versions this library is tested with).</summary>
    public bool IsAllocationFree => encoder.IsNative && decoder.IsNative && likelihoodDecoder.IsNative;

    /// <summary>
    /// Whether the decoder graph computes the probabilities itself (its <c>probs</c> output, written by exporters of
    /// this version); false for Gaussian models and for Bernoulli pairs exported with logits only, whose Decode applies
    /// the sigmoid in managed code.
    /// </summary>
    public bool DecoderHasProbabilities => Info.OutputKind == OutputKind.Logits && !sigmoidInLibrary;

    /// <summary>Values per input sample.</summary>
    public int InputSize => Info.InputSize;

    /// <summary>Dimension of z.</summary>
    public int LatentSize => Info.LatentSize;

    /// <summary>Number of classes of a conditional model (its graphs take a one-hot input <c>y</c>), 0 otherwise.</summary>
    public int Classes => Info.Classes;

    /// <summary>Execution providers compiled into the loaded ONNX Runtime native library, by ONNX Runtime's names.</summary>
    public static IReadOnlyList<string> AvailableProviders()
    {
        OnnxRuntimeTelemetry.TurnOff();
        return ProviderSetup.Available();
    }

    /// <summary>Loads <c>encoder.onnx</c> and <c>decoder.onnx</c> from <paramref name="folder"/>. The caller owns the result and disposes it.</summary>
    /// <exception cref="VaeModelException">A file is missing, corrupt, or the two do not fit together.</exception>
    /// <exception cref="ExecutionProviderException">A provider requested in strict mode cannot be used.</exception>
    public static VaeModel Load(string folder, VaeSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder) && InterruptedExport(folder) is { } previous)
            throw new VaeModelException($"{folder} is missing, but {previous} holds the pair exported there before: an export into {folder} was " +
                                        $"interrupted while it replaced the folder. Rename {previous} back to {folder}, or export again (the exporter puts it back first).");
        return Load(Path.Combine(folder, EncoderFile), Path.Combine(folder, DecoderFile), options);
    }

    /// <summary>The previous folder an exporter renamed aside (<c>&lt;folder&gt;.&lt;pid&gt;.&lt;id&gt;.old</c>, newest first) when
    /// <paramref name="folder"/> itself is missing, or null.</summary>
    private static string? InterruptedExport(string folder)
    {
        string full = Path.GetFullPath(folder);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return null;
        return Directory.EnumerateDirectories(parent, $"{Path.GetFileName(full)}.*.old")
                        .Where(d => File.Exists(Path.Combine(d, EncoderFile)) && File.Exists(Path.Combine(d, DecoderFile)))
                        .OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault();
    }

    /// <summary>Loads a pair from two paths. The caller owns the result and disposes it.</summary>
    /// <exception cref="VaeModelException">A file is missing, corrupt, or the two do not fit together.</exception>
    /// <exception cref="ExecutionProviderException">A provider requested in strict mode cannot be used.</exception>
    public static VaeModel Load(string encoderPath, string decoderPath, VaeSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoderPath);
        ArgumentNullException.ThrowIfNull(decoderPath);
        foreach (string path in new[] { encoderPath, decoderPath })
            if (!File.Exists(path)) throw new VaeModelException($"{path}: file not found.");
        VaeModel model = Load(OnnxSource.File(encoderPath), OnnxSource.File(decoderPath), options);
        if (!VaeHierarchy.IsHierarchical(model.Info)) return model;
        try
        {
            // a hierarchical model's prior and likelihood live in its layer graphs, beside the pair
            model.hierarchy = VaeHierarchy.Load(Path.GetDirectoryName(Path.GetFullPath(encoderPath))!, model.Options, model.Provider, model.Info);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The layer graphs of a hierarchical model (<see cref="VaeModelInfo.ModelKind"/> <c>hierarchical</c>), loaded from the pair's
    /// folder: <see cref="Generate(Span{float}, long, float, ReadOnlySpan{int})"/> and <see cref="ScoreAnomalies(ReadOnlySpan{float}, Span{AnomalyScore}, int, long, ReadOnlySpan{int})"/>
    /// go through them (its learned prior, its likelihood through every layer); the other operations use the pair, which works on
    /// the top layer along the mean path. Null for one-layer models and for a hierarchical pair loaded from memory. Owned by this model.
    /// </summary>
    public VaeHierarchy? Hierarchy => hierarchy;

    /// <summary>The layer graphs, for the operations that need the model's prior or likelihood.</summary>
    /// <exception cref="InvalidOperationException">A hierarchical pair was loaded from memory, without its layer graphs.</exception>
    private VaeHierarchy RequireHierarchy(string operation) => hierarchy
        ?? throw new InvalidOperationException($"{operation} needs this hierarchical model's layer graphs (its prior and the likelihood through every layer), " +
                                               $"which a pair loaded from memory lacks; load it with {nameof(VaeModel)}.{nameof(Load)}(folder) from the folder the exporter wrote.");

    private bool IsHierarchical => VaeHierarchy.IsHierarchical(Info);

    /// <summary>
    /// Loads a pair from the bytes of <c>encoder.onnx</c> and <c>decoder.onnx</c> held in memory (embedded resources, a
    /// blob store, a database). The arrays are not kept. The caller owns the result and disposes it.
    /// </summary>
    /// <exception cref="VaeModelException">The bytes are not a loadable ONNX model, or the two do not fit together.</exception>
    /// <exception cref="ExecutionProviderException">A provider requested in strict mode cannot be used.</exception>
    public static VaeModel Load(byte[] encoderOnnx, byte[] decoderOnnx, VaeSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoderOnnx);
        ArgumentNullException.ThrowIfNull(decoderOnnx);
        return Load(OnnxSource.Memory("encoder", encoderOnnx), OnnxSource.Memory("decoder", decoderOnnx), options);
    }

    private static VaeModel Load(OnnxSource encoderSource, OnnxSource decoderSource, VaeSessionOptions? options)
    {
        OnnxRuntimeTelemetry.TurnOff();
        options = (options ?? new VaeSessionOptions()).Validate();
        var skipped = new List<string>();
        if (options.Provider == ExecutionProvider.Auto)
        {
            foreach (ExecutionProvider candidate in ProviderSetup.AutoOrder)
            {
                if (!ProviderSetup.IsAvailable(candidate)) { skipped.Add($"{candidate}: not in this ONNX Runtime build"); continue; }
                try { return Open(encoderSource, decoderSource, options, candidate, skipped); }
                catch (ExecutionProviderException e) { skipped.Add($"{candidate}: {e.Message}"); }
            }
            return Open(encoderSource, decoderSource, options, ExecutionProvider.Cpu, skipped);
        }
        try
        {
            return Open(encoderSource, decoderSource, options, options.Provider, skipped);
        }
        catch (ExecutionProviderException e) when (!options.Strict)
        {
            skipped.Add($"{options.Provider}: {e.Message}");
            return Open(encoderSource, decoderSource, options, ExecutionProvider.Cpu, skipped);
        }
    }

    private static VaeModel Open(OnnxSource encoderSource, OnnxSource decoderSource, VaeSessionOptions options, ExecutionProvider provider, List<string> skipped)
    {
        using SessionOptions sessionOptions = options.ToSessionOptions(provider);
        InferenceSession? encoderSession = null, decoderSession = null;
        string encoderPath = encoderSource.Name, decoderPath = decoderSource.Name;
        try
        {
            encoderSession = OpenSession(encoderSource, sessionOptions, options, provider);
            decoderSession = OpenSession(decoderSource, sessionOptions, options, provider);
            VaeModelInfo info = PairCheck.Check(encoderSession, encoderPath, decoderSession, decoderPath);
            PairCheck.SmokeRun(encoderSession, encoderPath, decoderSession, decoderPath, info);
            // both checks may refuse the pair: before any runner (and its native name strings) exists
            float[]? pixelLogvar = PairCheck.PixelLogvar(decoderSession, decoderPath, info);
            bool probabilities = PairCheck.HasProbabilities(decoderSession, decoderPath, info);
            string[] conditional = info.Classes > 0 ? [VaeGraphNames.Y] : [];
            var encoder = new GraphRunner(encoderSession, [VaeGraphNames.X, .. conditional], [VaeGraphNames.Mean, VaeGraphNames.Logvar]);
            string[] decoderInputs = [VaeGraphNames.Z, .. conditional];
            string rawOutput = VaeGraphNames.DecoderOutput(info.OutputKind);
            var decoder = new GraphRunner(decoderSession, decoderInputs, [probabilities ? VaeGraphNames.Probs : rawOutput]);
            GraphRunner likelihoodDecoder = probabilities ? new GraphRunner(decoderSession, decoderInputs, [rawOutput], ownsSession: false) : decoder;
            bool sigmoidInLibrary = info.OutputKind == OutputKind.Logits && !probabilities;
            string report = $"using {provider}" + (skipped.Count > 0 ? $" (skipped {string.Join("; ", skipped)})" : "");
            return new VaeModel(encoder, decoder, likelihoodDecoder, sigmoidInLibrary, pixelLogvar, info, options, provider, report);
        }
        catch
        {
            encoderSession?.Dispose();
            decoderSession?.Dispose();
            throw;
        }
    }

    private static InferenceSession OpenSession(OnnxSource source, SessionOptions sessionOptions, VaeSessionOptions options, ExecutionProvider provider)
    {
        try
        {
            return source.Open(sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            if (provider != ExecutionProvider.Cpu && LoadsOnCpu(source, options))
                throw ProviderSetup.CannotStart(provider, options.DeviceId, e);
            throw new VaeModelException(UnsupportedIrVersion(source.Name, e.Message) ?? ExternalData(source, e.Message)
                                        ?? $"{source.Name}: not a loadable ONNX model ({e.Message.Trim()}).", e);
        }
    }

    /// <summary>
    /// ONNX Runtime's refusal of weights kept as ONNX external data: from a file, when their location leaves the model's
    /// folder (absolute, "..", or a link to outside); from memory, always (a location would be relative to nothing).
    /// One sentence naming the graph and what to do; null for other failures.
    /// </summary>
    private static string? ExternalData(OnnxSource source, string message)
    {
        if (source.Path is not null && message.Contains("External data path", StringComparison.Ordinal))
            return $"{source.Name}: its weights are ONNX external data at a location outside the model's folder, which is refused " +
                   $"(keep the data files inside the folder, beside the graph) ({message.Trim()}).";
        if (source.Path is null && message.Contains("model_path must not be empty", StringComparison.Ordinal))
            return $"{source.Name}: the graph keeps weights as ONNX external data, which a graph loaded from memory cannot read; " +
                   "load the pair from its folder, or embed the data in the graph.";
        return null;
    }

    /// <summary>
    /// ONNX Runtime's refusal of a newer ONNX IR version ("Unsupported model IR version: 14, max supported IR version: 13",
    /// after the path of its own source file) as one sentence naming the graph and both versions; null for other failures.
    /// </summary>
    private static string? UnsupportedIrVersion(string graph, string message)
    {
        Match m = Regex.Match(message, @"Unsupported model IR version: (\d+), max supported IR version: (\d+)");
        return m.Success
            ? $"{graph}: ONNX IR version {m.Groups[1].Value} is newer than this ONNX Runtime loads (at most {m.Groups[2].Value}); " +
              $"re-export it with IR version {m.Groups[2].Value} or lower (ExportOptions.IrVersion; the default is 8)."
            : null;
    }

    private static bool LoadsOnCpu(OnnxSource source, VaeSessionOptions options)
    {
        try
        {
            using SessionOptions cpu = options.ToSessionOptions(ExecutionProvider.Cpu);
            using InferenceSession session = source.Open(cpu);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    /// <summary>Where one graph comes from: a file, or bytes in memory; <see cref="Name"/> is what error messages call it.</summary>
    private readonly record struct OnnxSource(string Name, string? Path, byte[]? Bytes)
    {
        public static OnnxSource File(string path) => new(path, path, null);

        public static OnnxSource Memory(string graph, byte[] bytes) => new($"{graph} ({bytes.Length:N0} bytes in memory)", null, bytes);

        public InferenceSession Open(SessionOptions options) => Path is not null ? new InferenceSession(Path, options) : new InferenceSession(Bytes!, options);
    }

    /// <summary>Marks a call in flight; throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    private void Enter()
    {
        Interlocked.Increment(ref activeCalls);
        if (Volatile.Read(ref disposed) != 0)
        {
            Interlocked.Decrement(ref activeCalls);
            throw new ObjectDisposedException(nameof(VaeModel), "this VaeModel has been disposed.");
        }
    }

    private void Exit() => Interlocked.Decrement(ref activeCalls);

    /// <summary>Releases both native sessions after the calls in flight finish. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        var spin = new SpinWait();
        while (Volatile.Read(ref activeCalls) != 0) spin.SpinOnce();
        encoder.Dispose();
        if (!ReferenceEquals(likelihoodDecoder, decoder)) likelihoodDecoder.Dispose();
        decoder.Dispose();
        hierarchy?.Dispose();
    }
}
