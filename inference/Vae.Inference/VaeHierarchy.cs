using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>
/// The layer graphs of a hierarchical VAE (model kind <c>hierarchical</c>), loaded beside its pair: one graph per conditional
/// — <c>encoder_1.onnx</c> q(z_1|x), <c>encoder_l.onnx</c> q(z_l|z_{l−1}), <c>decoder_l.onnx</c> (l ≥ 2) p(z_{l−1}|z_l),
/// <c>decoder_1.onnx</c> p(x|z_1) — and, for the VampPrior, <c>prior.onnx</c> (its K components and pseudo-inputs, read once
/// at load). With them the model's own prior is sampled and its likelihood scored through every layer; the pair
/// (<see cref="VaeModel"/>) works on the top layer along the mean path. Safe to use from many threads at once. Owns its
/// native sessions: dispose it when done and no call is in flight (a <see cref="VaeModel"/> that loaded it disposes it
/// with itself, after its own calls finish).
/// </summary>
public sealed partial class VaeHierarchy : IDisposable
{
    /// <summary>Model kind (metadata <c>vae.model_kind</c>) of hierarchical models.</summary>
    public const string ModelKind = "hierarchical";

    /// <summary>File of the VampPrior's graph.</summary>
    public const string PriorFile = "prior.onnx";

    /// <summary>Values of metadata <c>vae.prior</c>.</summary>
    public const string StandardNormalPrior = "standard_normal", VampPrior = "vamp";

    /// <summary>Output of <see cref="PriorFile"/> holding the pseudo-inputs u_k [K, InputSize] as the encoder reads them.</summary>
    public const string PseudoInputsOutput = "u";

    private readonly InferenceSession[] encoders;       // [l − 1]: q(z_l | ·)
    private readonly InferenceSession[] conditionals;   // [l − 1]: p(z_l | z_{l+1}), file decoder_{l+1}
    private readonly InferenceSession data;             // p(x | z_1)
    private readonly float[]? priorMean, priorLogvar, pseudoInputs;
    private int disposed;

    private VaeHierarchy(VaeModelInfo info, int[] latentSizes, InferenceSession[] encoders, InferenceSession[] conditionals, InferenceSession data,
                         float[]? priorMean, float[]? priorLogvar, float[]? pseudoInputs)
    {
        Info = info;
        LatentSizes = latentSizes;
        this.encoders = encoders;
        this.conditionals = conditionals;
        this.data = data;
        this.priorMean = priorMean;
        this.priorLogvar = priorLogvar;
        this.pseudoInputs = pseudoInputs;
    }

    /// <summary>File of q(z_l | ·) for layer <paramref name="layer"/> (1 = next to the data).</summary>
    public static string EncoderFile(int layer) => $"encoder_{layer}.onnx";

    /// <summary>File of p(z_{l−1} | z_l) for layer <paramref name="layer"/> ≥ 2, of p(x | z_1) for layer 1.</summary>
    public static string DecoderFile(int layer) => $"decoder_{layer}.onnx";

    /// <summary>Whether a pair with these facts is a hierarchical model's (and needs its layer graphs for its prior and likelihood).</summary>
    public static bool IsHierarchical(VaeModelInfo info) => info?.ModelKind == ModelKind;

    /// <summary>The model's facts (the pair's: <see cref="VaeModelInfo.LatentSize"/> is the top layer's).</summary>
    public VaeModelInfo Info { get; }

    /// <summary>Latent sizes of the stochastic layers from the data up.</summary>
    public IReadOnlyList<int> LatentSizes { get; }

    /// <summary>Number L of stochastic layers.</summary>
    public int Layers => LatentSizes.Count;

    /// <summary>Values per input sample.</summary>
    public int InputSize => Info.InputSize;

    /// <summary>Whether the top layer's prior is the VampPrior (else N(0, I)).</summary>
    public bool HasVampPrior => priorMean is not null;

    /// <summary>Number K of the VampPrior's components (0 for N(0, I)).</summary>
    public int PriorComponents => priorMean is null ? 0 : priorMean.Length / LatentSizes[^1];

    /// <summary>The VampPrior's pseudo-inputs u_k, K × <see cref="InputSize"/> values (pixels in [0, 1] for Bernoulli models); empty for N(0, I).</summary>
    public ReadOnlySpan<float> PseudoInputs => pseudoInputs;

    /// <summary>The VampPrior's component means, K × top latent size; empty for N(0, I).</summary>
    public ReadOnlySpan<float> PriorMeans => priorMean;

    /// <summary>The VampPrior's component log-variances, K × top latent size; empty for N(0, I).</summary>
    public ReadOnlySpan<float> PriorLogvars => priorLogvar;

    /// <summary>Loads the layer graphs of the model in <paramref name="folder"/> on the CPU (or <paramref name="options"/>' provider
    /// when it names one). The caller owns the result and disposes it.</summary>
    /// <exception cref="VaeModelException">A file is missing or corrupt, or the graphs are not one hierarchical model's.</exception>
    public static VaeHierarchy Load(string folder, VaeSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options = (options ?? new VaeSessionOptions()).Validate();
        ExecutionProvider provider = options.Provider == ExecutionProvider.Auto ? ExecutionProvider.Cpu : options.Provider;
        return Load(folder, options, provider, expected: null);
    }

    /// <summary>Loads the layer graphs beside a pair already opened with <paramref name="provider"/>; they must describe the same model as <paramref name="expected"/>.</summary>
    internal static VaeHierarchy Load(string folder, VaeSessionOptions options, ExecutionProvider provider, VaeModelInfo? expected)
    {
        var opened = new List<InferenceSession>();
        try
        {
            using SessionOptions sessionOptions = options.ToSessionOptions(provider);
            InferenceSession Open(string file)
            {
                string path = Path.Combine(folder, file);
                if (!File.Exists(path))
                    throw new VaeModelException($"{path}: file not found; a hierarchical model's folder holds its layer graphs ({LayerFiles}) beside encoder.onnx and decoder.onnx (written by Vae.Training's exporter).");
                try { opened.Add(new InferenceSession(path, sessionOptions)); }
                catch (OnnxRuntimeException e) { throw new VaeModelException($"{path}: not a loadable ONNX model ({e.Message.Trim()}).", e); }
                return opened[^1];
            }

            InferenceSession first = Open(EncoderFile(1));
            string firstPath = Path.Combine(folder, EncoderFile(1));
            VaeModelInfo info = VaeModelInfo.FromMetadata(first.ModelMetadata.CustomMetadataMap, firstPath);
            if (!IsHierarchical(info))
                throw new VaeModelException($"{firstPath}: model kind '{info.ModelKind}'; expected '{ModelKind}'.");
            if (expected is not null && expected.MismatchWith(info) is string mismatch)
                throw new VaeModelException($"{firstPath} is not a layer graph of the pair beside it: {mismatch}.");
            int[] sizes = LayerSizes(first.ModelMetadata.CustomMetadataMap, firstPath, info);
            string prior = first.ModelMetadata.CustomMetadataMap.GetValueOrDefault(VaeMetadata.Prior, "");
            if (prior is not (StandardNormalPrior or VampPrior))
                throw new VaeModelException($"{firstPath}: metadata '{VaeMetadata.Prior}' is '{prior}'; expected '{StandardNormalPrior}' or '{VampPrior}'.");

            var encoders = new InferenceSession[sizes.Length];
            var conditionals = new InferenceSession[sizes.Length - 1];
            encoders[0] = first;
            Check(first, firstPath, info, sizes, prior, VaeGraphNames.X, info.InputSize, [VaeGraphNames.Mean, VaeGraphNames.Logvar], sizes[0]);
            for (int l = 2; l <= sizes.Length; l++)
            {
                encoders[l - 1] = Open(EncoderFile(l));
                Check(encoders[l - 1], Path.Combine(folder, EncoderFile(l)), info, sizes, prior, VaeGraphNames.Z, sizes[l - 2], [VaeGraphNames.Mean, VaeGraphNames.Logvar], sizes[l - 1]);
                conditionals[l - 2] = Open(DecoderFile(l));
                Check(conditionals[l - 2], Path.Combine(folder, DecoderFile(l)), info, sizes, prior, VaeGraphNames.Z, sizes[l - 1], [VaeGraphNames.Mean, VaeGraphNames.Logvar], sizes[l - 2]);
            }
            InferenceSession data = Open(DecoderFile(1));
            Check(data, Path.Combine(folder, DecoderFile(1)), info, sizes, prior, VaeGraphNames.Z, sizes[0], [VaeGraphNames.DecoderOutput(info.OutputKind)], info.InputSize);

            float[]? mean = null, logvar = null, u = null;
            if (prior == VampPrior)
            {
                string priorPath = Path.Combine(folder, PriorFile);
                InferenceSession session = Open(PriorFile);
                (mean, logvar, u) = ReadPrior(session, priorPath, info, sizes[^1]);
            }
            return new VaeHierarchy(info, sizes, encoders, conditionals, data, mean, logvar, u);
        }
        catch
        {
            foreach (InferenceSession s in opened) s.Dispose();
            throw;
        }
    }

    private const string LayerFiles = "encoder_1.onnx, encoder_2.onnx, …, decoder_1.onnx, decoder_2.onnx, … and prior.onnx for the VampPrior";

    private static int[] LayerSizes(IReadOnlyDictionary<string, string> metadata, string path, VaeModelInfo info)
    {
        string text = metadata.GetValueOrDefault(VaeMetadata.Layers, "");
        int[] sizes;
        try { sizes = VaeMetadata.ParseShape(text); }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new VaeModelException($"{path}: metadata '{VaeMetadata.Layers}' is '{text}'; expected the latent sizes of the layers from the data up, such as 100,50.", e);
        }
        if (sizes[^1] != info.LatentSize)
            throw new VaeModelException($"{path}: metadata '{VaeMetadata.Layers}' is '{text}' but the latent size is {info.LatentSize}; the top layer's size must be the latent size.");
        return sizes;
    }

    // Each graph: the same model (layers, prior, pair facts), one float input of the expected width, the named outputs of the expected width.
    private static void Check(InferenceSession session, string path, VaeModelInfo info, int[] sizes, string prior, string input, int inputWidth, string[] outputs, int outputWidth)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        VaeModelInfo own = VaeModelInfo.FromMetadata(metadata, path);
        string? mismatch = info.MismatchWith(own);
        if (mismatch is null && metadata.GetValueOrDefault(VaeMetadata.Layers) != string.Join(",", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture))))
            mismatch = $"layers {metadata.GetValueOrDefault(VaeMetadata.Layers)} vs {string.Join(",", sizes)}";
        if (mismatch is null && metadata.GetValueOrDefault(VaeMetadata.Prior) != prior) mismatch = $"prior {metadata.GetValueOrDefault(VaeMetadata.Prior)} vs {prior}";
        if (mismatch is not null) throw new VaeModelException($"{path} is not a graph of the same model as encoder_1.onnx: {mismatch}.");
        if (session.InputMetadata.Count != 1 || !session.InputMetadata.TryGetValue(input, out NodeMetadata? inputMeta) || Width(inputMeta) != inputWidth)
            throw new VaeModelException($"{path}: inputs [{string.Join(", ", session.InputMetadata.Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.Dimensions)}]"))}]; expected one input '{input}' [batch, {inputWidth}].");
        foreach (string output in outputs)
            if (!session.OutputMetadata.TryGetValue(output, out NodeMetadata? meta) || Width(meta) != outputWidth)
                throw new VaeModelException($"{path}: outputs [{string.Join(", ", session.OutputMetadata.Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.Dimensions)}]"))}]; expected '{output}' [batch, {outputWidth}].");
    }

    private static long Width(NodeMetadata meta) => meta.Dimensions.Skip(1).Aggregate(1L, (a, d) => a * d);

    private static (float[] Mean, float[] Logvar, float[] U) ReadPrior(InferenceSession session, string path, VaeModelInfo info, int top)
    {
        if (session.InputMetadata.Count != 0)
            throw new VaeModelException($"{path}: the prior graph takes {session.InputMetadata.Count} inputs; expected none (its pseudo-inputs are initializers).");
        float[][] values;
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, Array.Empty<string>(), Array.Empty<OrtValue>(), [VaeGraphNames.Mean, VaeGraphNames.Logvar, PseudoInputsOutput]);
            values = results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw new VaeModelException($"{path}: the prior graph does not run ({e.Message.Trim()}); expected outputs '{VaeGraphNames.Mean}', '{VaeGraphNames.Logvar}' and '{PseudoInputsOutput}'.", e);
        }
        if (values[0].Length == 0 || values[0].Length % top != 0 || values[1].Length != values[0].Length || values[2].Length != values[0].Length / top * info.InputSize)
            throw new VaeModelException($"{path}: the prior's outputs hold {values[0].Length}, {values[1].Length} and {values[2].Length} values; expected K × {top}, K × {top} and K × {info.InputSize}.");
        if (values.SelectMany(v => v).Any(v => !float.IsFinite(v)))
            throw new VaeModelException($"{path}: the prior's components or pseudo-inputs are not all finite.");
        return (values[0], values[1], values[2]);
    }

    /// <summary>Releases the sessions. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        foreach (InferenceSession s in encoders.Concat(conditionals).Append(data)) s.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
}
