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
/// written only when verification passes, each through a temporary file and a rename. TorchSharp runs on one
/// thread meanwhile (restored afterwards; see <see cref="TorchThreads"/>), as does ONNX Runtime's verification.
/// </summary>
public static class VaeExporter
{
    /// <summary>File holding the export's facts for humans (and the checkpoint path for <see cref="Check"/>).</summary>
    public const string ModelJsonFile = "model.json";

    /// <summary>Builds, verifies and writes the pair into <paramref name="folder"/>.</summary>
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

        Directory.CreateDirectory(folder);
        string encoderPath = Path.Combine(folder, VaeModel.EncoderFile);
        string decoderPath = Path.Combine(folder, VaeModel.DecoderFile);
        AtomicFile.WriteAllBytes(encoderPath, encoder);
        AtomicFile.WriteAllBytes(decoderPath, decoder);
        foreach (NamedGraph graph in layers) AtomicFile.WriteAllBytes(Path.Combine(folder, graph.File), graph.Model);
        AtomicFile.WriteAllText(Path.Combine(folder, ModelJsonFile), ModelJson(model, options, difference));
        reference.Save(Path.Combine(folder, ReferenceOutputs.FileName));
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
    public static (string Checkpoint, double MaxAbsDifference) Check(string folder, string? checkpoint = null, double tolerance = ExportOptions.DefaultTolerance, Tensor? realSamples = null, Tensor? realLabels = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string encoderPath = Path.Combine(folder, VaeModel.EncoderFile), decoderPath = Path.Combine(folder, VaeModel.DecoderFile);
        foreach (string path in new[] { encoderPath, decoderPath })
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; re-verifying needs a folder written by {nameof(VaeExporter)}.{nameof(Export)}.", path);
        checkpoint ??= RecordedCheckpoint(folder);
        using var threads = TorchThreads.Single();
        using VaeModule model = Checkpoint.Load(checkpoint);
        // a damaged file is named by its path, as VaeModel.Load names it
        double difference = OnnxExportVerifier.Verify(model, File.ReadAllBytes(encoderPath), File.ReadAllBytes(decoderPath), tolerance, realSamples, realLabels,
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
    public static string RecordedCheckpoint(string folder)
    {
        string path = Path.Combine(folder, ModelJsonFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; it records the checkpoint the pair was exported from.", path);
        JsonNode? json;
        try { json = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e); }
        return json?["checkpoint"]?.GetValue<string?>() is { Length: > 0 } recorded
            ? recorded
            : throw new InvalidDataException($"{path} records no checkpoint (exported without one); give the checkpoint folder to verify against.");
    }

    private static string ModelJson(VaeModule model, ExportOptions options, double difference)
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
            ["command"] = options.Command,
        };
        if (model is HierarchicalVae hierarchical)
            json["layer_graphs"] = ToJson(HierarchicalExportVerifier.Expected(hierarchical));
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });   // "−" and "σ" as written, for people
    }

    private static JsonArray ToJson(IEnumerable<string> names) => new([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]);
}
