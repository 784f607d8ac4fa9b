using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Exports a <see cref="VaeModule"/> as <c>encoder.onnx</c>, <c>decoder.onnx</c> and <c>model.json</c>.
/// The graphs are built and verified against TorchSharp in memory first; files are written only when
/// verification passes, each through a temporary file and a rename.
/// </summary>
public static class VaeExporter
{
    /// <summary>Builds, verifies and writes the pair into <paramref name="folder"/>.</summary>
    /// <param name="realSamples">Optional real inputs [N, ...InputShape] used in verification besides random ones.</param>
    /// <exception cref="UnsupportedModuleException">A module has no converter; nothing is written.</exception>
    /// <exception cref="OnnxVerificationException">ONNX Runtime disagrees with TorchSharp; nothing is written.</exception>
    public static ExportResult Export(VaeModule model, string folder, ExportOptions? options = null, Tensor? realSamples = null)
    {
        options ??= new ExportOptions();
        var clock = Stopwatch.StartNew();
        var (encoder, decoder) = VaeOnnxGraphs.Build(model, options);
        double difference = OnnxExportVerifier.Verify(model, encoder, decoder, options.Tolerance, realSamples);

        Directory.CreateDirectory(folder);
        string encoderPath = Path.Combine(folder, Vae.Inference.VaeModel.EncoderFile);
        string decoderPath = Path.Combine(folder, Vae.Inference.VaeModel.DecoderFile);
        AtomicFile.WriteAllBytes(encoderPath, encoder);
        AtomicFile.WriteAllBytes(decoderPath, decoder);
        AtomicFile.WriteAllText(Path.Combine(folder, "model.json"), ModelJson(model, options, difference));
        if (model.GraphLayout.Classes == 0)
            ReferenceOutputs.Compute(model, realSamples).Save(Path.Combine(folder, ReferenceOutputs.FileName));
        return new ExportResult(folder, encoderPath, decoderPath, difference, clock.Elapsed.TotalSeconds);
    }

    private static string ModelJson(VaeModule model, ExportOptions options, double difference)
    {
        var metadata = VaeOnnxGraphs.Metadata(model, model.GraphLayout, model.Config.Likelihood == Likelihood.Bernoulli ? "logits" : "mean", options);
        var json = new JsonObject
        {
            ["metadata"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["config"] = JsonSerializer.SerializeToNode(model.Config, VaeConfig.JsonOptions),
            ["training"] = JsonNode.Parse(options.TrainingSummary),
            ["opset"] = options.Opset,
            ["ir_version"] = options.IrVersion,
            ["verification_max_abs_difference"] = difference,
            ["command"] = options.Command,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
