using System.Text.Json;
using Google.Protobuf;
using TorchSharp;
using Vae.Training.Models;
using Vae.Onnx.Proto;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Bench.Inference;

/// <summary>
/// The reference model rebuilt in TorchSharp with the exact weights stored in its ONNX graphs (initializers
/// are named after the TorchSharp parameters), for the eager-mode comparison.
/// </summary>
internal static class TorchSharpTwin
{
    /// <summary>A TorchSharp <see cref="VaeModule"/> in eval mode; the caller disposes it.</summary>
    public static VaeModule Load(string folder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "model.json")));
        VaeConfig config = json.RootElement.GetProperty("config").Deserialize<VaeConfig>(VaeConfig.JsonOptions)
            ?? throw new InvalidDataException("model.json has no config");
        VaeModule model = Checkpoint.Create(config);
        var initializers = new[] { "encoder.onnx", "decoder.onnx" }
            .SelectMany(f => ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, f))).Graph.Initializer)
            .GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First());
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!initializers.TryGetValue(name, out TensorProto? t))
                    throw new InvalidDataException($"parameter {name} has no initializer in the ONNX graphs");
                float[] values = t.FloatData.Count > 0 ? t.FloatData.ToArray() : ToFloats(t.RawData);
                parameter.copy_(tensor(values).reshape(parameter.shape));
            }
        }
        model.eval();
        return model;
    }

    private static float[] ToFloats(ByteString raw)
    {
        var values = new float[raw.Length / sizeof(float)];
        raw.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
