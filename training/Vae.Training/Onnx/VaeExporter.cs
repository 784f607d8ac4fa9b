using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Inference;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Exports a <see cref="VaeModule"/> as <c>encoder.onnx</c>, <c>decoder.onnx</c>, <c>model.json</c> and
/// <c>reference.json</c>. The graphs are built and verified against TorchSharp in memory first; files are
/// written only when verification passes, and the folder is replaced as a whole (<see cref="AtomicFolder"/>): a crash
/// leaves the previous export or the new one, never an encoder of one export beside the decoder of another. Both graphs
/// and model.json carry one pair identity (<see cref="ExportOptions.PairId"/>), which loaders check. TorchSharp runs on one
/// thread meanwhile (restored afterwards; see <see cref="TorchThreads"/>), as does ONNX Runtime's verification.
/// </summary>
public static class VaeExporter
{
    /// <summary>File holding the export's facts for humans (and the checkpoint path for <see cref="Check"/>).</summary>
    public const string ModelJsonFile = "model.json";

    /// <summary>The files an export writes into its folder.</summary>
    public static readonly IReadOnlyList<string> Files = [VaeModel.EncoderFile, VaeModel.DecoderFile, ModelJsonFile, ReferenceOutputs.FileName];

    /// <summary>Builds, verifies and writes the pair into <paramref name="folder"/>, replacing an earlier export there as a
    /// whole; other files in the folder are kept. Temporary folders that earlier exports killed part-way left beside it are
    /// deleted, and a previous export such an export had moved aside is put back first.</summary>
    /// <param name="realSamples">Optional real inputs [N, ...InputShape] used in verification besides random ones.</param>
    /// <param name="realLabels">Class indices [N] (int64) of <paramref name="realSamples"/> for conditional models.</param>
    /// <exception cref="ArgumentException"><paramref name="realSamples"/> does not have the model's number of values per row, or <paramref name="realLabels"/>
    /// (conditional models) is not int64 [N]; nothing is written.</exception>
    /// <exception cref="UnsupportedModuleException">A module has no converter; nothing is written.</exception>
    /// <exception cref="OnnxVerificationException">ONNX Runtime disagrees with TorchSharp; nothing is written.</exception>
    public static ExportResult Export(VaeModule model, string folder, ExportOptions? options = null, Tensor? realSamples = null, Tensor? realLabels = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        OutputPath.CheckFolder(folder, "model folder");
        options = (options ?? new ExportOptions()).Validate();
        options = options with { PairId = options.PairId ?? ExportOptions.NewPairId() };
        var clock = Stopwatch.StartNew();
        using var threads = TorchThreads.Single();
        var (encoder, decoder) = VaeOnnxGraphs.Build(model, options);
        var hierarchical = model as HierarchicalVae;   // its layer set is written beside the pair
        IReadOnlyList<NamedGraph> layers = hierarchical is null ? [] : HierarchicalOnnxGraphs.BuildLayers(hierarchical, options);
        double built = clock.Elapsed.TotalSeconds;
        double difference = OnnxExportVerifier.Verify(model, encoder, decoder, options.Tolerance, realSamples, realLabels);
        if (hierarchical is not null)
            difference = Math.Max(difference, HierarchicalExportVerifier.Verify(hierarchical, layers, options.Tolerance, realSamples));
        double verified = clock.Elapsed.TotalSeconds;
        var reference = ReferenceOutputs.Compute(model, realSamples, labels: realLabels);

        string modelJson = ModelJsonText(model, options, difference);
        AtomicFolder.Recover(folder);
        AtomicFolder.DeleteLeftovers(folder);
        AtomicFolder.Write(folder, temp =>
        {
            File.WriteAllBytes(Path.Combine(temp, VaeModel.EncoderFile), encoder);
            File.WriteAllBytes(Path.Combine(temp, VaeModel.DecoderFile), decoder);
            foreach (NamedGraph graph in layers) File.WriteAllBytes(Path.Combine(temp, graph.File), graph.Model);
            File.WriteAllText(Path.Combine(temp, ModelJsonFile), modelJson);
            reference.Save(Path.Combine(temp, ReferenceOutputs.FileName));
        }, keepOthers: name => !IsLeftover(name));
        string encoderPath = Path.Combine(folder, VaeModel.EncoderFile);
        string decoderPath = Path.Combine(folder, VaeModel.DecoderFile);
        double total = clock.Elapsed.TotalSeconds;
        return new ExportResult(folder, encoderPath, decoderPath, difference, total, new ExportPhases(built, verified - built, total - verified))
        {
            LayerGraphPaths = layers.Select(g => Path.Combine(folder, g.File)).ToArray(),
        };
    }

    /// <summary>
    /// Re-verifies an exported pair against the checkpoint recorded in its model.json (or
    /// <paramref name="checkpoint"/> when given): both graphs must still match TorchSharp within <paramref name="tolerance"/>.
    /// </summary>
    /// <returns>The checkpoint used and the largest difference found.</returns>
    /// <exception cref="FileNotFoundException">The model folder, its files or the checkpoint are missing.</exception>
    /// <exception cref="OnnxVerificationException">ONNX Runtime refuses a graph or disagrees with TorchSharp.</exception>
    /// <exception cref="VaeModelException">The graphs (or model.json) carry the identities of different exports.</exception>
    public static (string Checkpoint, double MaxAbsDifference) Check(string folder, string? checkpoint = null, double tolerance = ExportOptions.DefaultTolerance, Tensor? realSamples = null, Tensor? realLabels = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string encoderPath = Path.Combine(folder, VaeModel.EncoderFile), decoderPath = Path.Combine(folder, VaeModel.DecoderFile);
        foreach (string path in new[] { encoderPath, decoderPath })
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; re-verifying needs a folder written by {nameof(VaeExporter)}.{nameof(Export)}.", path);
        byte[] encoder = File.ReadAllBytes(encoderPath), decoder = File.ReadAllBytes(decoderPath);
        CheckPairId(folder, encoderPath, encoder, decoderPath, decoder);
        checkpoint ??= RecordedCheckpoint(folder);
        using var threads = TorchThreads.Single();
        using VaeModule model = Checkpoint.Load(checkpoint);
        // a damaged file is named by its path, as VaeModel.Load names it
        double difference = OnnxExportVerifier.Verify(model, encoder, decoder, tolerance, realSamples, realLabels,
                                                      $"encoder graph {encoderPath}", $"decoder graph {decoderPath}");
        if (model is HierarchicalVae hierarchical)
        {
            var layers = HierarchicalExportVerifier.Expected(hierarchical)
                .Select(file => Path.Combine(folder, file))
                .Select(path => File.Exists(path) ? new NamedGraph(Path.GetFileName(path), File.ReadAllBytes(path))
                    : throw new FileNotFoundException($"{path} is missing; a hierarchical model's folder holds its layer graphs beside the pair ({string.Join(", ", HierarchicalExportVerifier.Expected(hierarchical))}).", path))
                .ToList();
            difference = Math.Max(difference, HierarchicalExportVerifier.Verify(hierarchical, layers, tolerance, realSamples, file => $"graph {Path.Combine(folder, file)}"));
        }
        return (checkpoint, difference);
    }

    /// <summary>The checkpoint folder recorded in <c>model.json</c> of <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">model.json is missing.</exception>
    /// <exception cref="InvalidDataException">model.json is damaged or records no checkpoint.</exception>
    public static string RecordedCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string path = Path.Combine(folder, ModelJsonFile);
        Onnx.ModelJson json = Onnx.ModelJson.Read(folder)
            ?? throw new FileNotFoundException($"{path} is missing; it records the checkpoint the pair was exported from.", path);
        return json.Checkpoint ?? throw new InvalidDataException($"{path} records no checkpoint (exported without one); give the checkpoint folder to verify against.");
    }

    /// <summary>
    /// Refuses graphs of two exports, and a model.json of another export than its graphs (its recorded checkpoint would
    /// not be theirs). Graphs whose bytes do not parse as an exported graph are left to the verification, which names the damage.
    /// </summary>
    private static void CheckPairId(string folder, string encoderPath, byte[] encoder, string decoderPath, byte[] decoder)
    {
        if (ExportMetadata(encoder) is not { } encoderMetadata || ExportMetadata(decoder) is not { } decoderMetadata) return;
        string? encoderId = encoderMetadata.GetValueOrDefault(VaeMetadata.PairId), decoderId = decoderMetadata.GetValueOrDefault(VaeMetadata.PairId);
        if (encoderId != decoderId)
            throw new VaeModelException($"{encoderPath} and {decoderPath} are not a pair: they come from different exports (pair id {encoderId ?? "none"} vs {decoderId ?? "none"}); export both graphs again into one folder.");
        if (Onnx.ModelJson.Read(folder) is { PairId: { } recorded } json && recorded != encoderId)
            throw new VaeModelException($"{json.Path} belongs to another export (pair id {recorded}) than {encoderPath} and {decoderPath} ({encoderId ?? "none"}); export again.");
    }

    /// <summary>The metadata of a graph this exporter wrote (it has <c>vae.graph</c>), or null when the bytes are not one
    /// (damaged, truncated, or another model).</summary>
    private static Dictionary<string, string>? ExportMetadata(byte[] onnx)
    {
        try
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in Vae.Onnx.Proto.ModelProto.Parser.ParseFrom(onnx).MetadataProps) metadata[p.Key] = p.Value;
            return metadata.ContainsKey(VaeMetadata.Graph) ? metadata : null;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>A file an interrupted write of an earlier version left in the folder (<c>encoder.onnx.&lt;pid&gt;.&lt;id&gt;.tmp</c>): not kept.</summary>
    private static bool IsLeftover(string name) =>
        name.EndsWith(".tmp", StringComparison.Ordinal) && Files.Any(f => name.StartsWith(f + ".", StringComparison.Ordinal));

    private static string ModelJsonText(VaeModule model, ExportOptions options, double difference)
    {
        VaeGraphLayout layout = model.GraphLayout;
        List<string> decoderInputs = layout.Classes > 0 ? [VaeGraphNames.Z, VaeGraphNames.Y] : [VaeGraphNames.Z];
        List<string> decoderOutputs = [.. VaeOnnxGraphs.DecoderOutputNames(model, options)];
        var json = new JsonObject
        {
            ["metadata"] = new JsonObject((model is HierarchicalVae h ? HierarchicalOnnxGraphs.Metadata(h, options) : VaeOnnxGraphs.Metadata(model, options)).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["config"] = JsonSerializer.SerializeToNode(model.Config, VaeConfig.JsonOptions),
            ["training"] = JsonNode.Parse(options.TrainingSummary),
            ["encoder"] = new JsonObject { ["inputs"] = ToJson(layout.Classes > 0 ? [VaeGraphNames.X, VaeGraphNames.Y] : [VaeGraphNames.X]), ["outputs"] = ToJson([VaeGraphNames.Mean, VaeGraphNames.Logvar]) },
            ["decoder"] = new JsonObject { ["inputs"] = ToJson(decoderInputs), ["outputs"] = ToJson(decoderOutputs) },
            ["opset"] = options.Opset,
            ["ir_version"] = options.EffectiveIrVersion,
            ["verification_max_abs_difference"] = difference,
            ["verification"] = $"ONNX Runtime vs TorchSharp at batches {string.Join(" and ", OnnxParity.BatchSizes)}; |diff| ≤ {options.Tolerance:G3} + {OnnxParity.RelativeTolerance:G1}·|TorchSharp|",
            ["checkpoint"] = options.CheckpointPath is null ? null : Path.GetFullPath(options.CheckpointPath),
            ["pair_id"] = options.PairId,
            ["command"] = options.Command,
        };
        if (model is HierarchicalVae hierarchical)
            json["layer_graphs"] = ToJson(HierarchicalExportVerifier.Expected(hierarchical));
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });   // "−" and "σ" as written, for people
    }

    private static JsonArray ToJson(IEnumerable<string> names) => new([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]);
}
