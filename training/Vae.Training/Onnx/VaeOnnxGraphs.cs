using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;
using Vae.Inference;
using Vae.Training.Models;
using Vae.Training.Onnx.Proto;

namespace Vae.Training.Onnx;

/// <summary>Builds the encoder and decoder <see cref="ModelProto"/>s of a <see cref="VaeModule"/> in memory.</summary>
public static class VaeOnnxGraphs
{
    /// <summary>Both graphs as serialised ONNX bytes.</summary>
    /// <exception cref="UnsupportedModuleException">A module in the tree has no converter.</exception>
    public static (byte[] Encoder, byte[] Decoder) Build(VaeModule model, ExportOptions options)
    {
        VaeGraphLayout layout = model.GraphLayout;
        var paths = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in model.named_modules()) paths.TryAdd(module, name);
        string PathOf(nn.Module m) => paths.TryGetValue(m, out string? p) ? p : throw new ArgumentException($"module {m.GetType().Name} is not registered in the model; call RegisterComponents().");

        foreach (var module in new[] { layout.EncoderBody, layout.MeanHead, layout.LogvarHead, layout.Decoder })
            OnnxLayerRegistry.EnsureSupported(module, PathOf(module));

        VaeConfig config = model.Config;
        int[] latent = [config.LatentSize];
        string outputName = config.Likelihood == Likelihood.Bernoulli ? "logits" : "mean";

        var encoder = new OnnxGraphBuilder(options.Opset);
        string x = encoder.AddInput("x", layout.EncoderInputShape);
        string h = OnnxLayerRegistry.Emit(encoder, layout.EncoderBody, PathOf(layout.EncoderBody), x);
        OnnxLayerRegistry.Emit(encoder, layout.MeanHead, PathOf(layout.MeanHead), h, "mean");
        OnnxLayerRegistry.Emit(encoder, layout.LogvarHead, PathOf(layout.LogvarHead), h, "logvar");
        encoder.AddOutput("mean", latent);
        encoder.AddOutput("logvar", latent);

        var decoder = new OnnxGraphBuilder(options.Opset);
        string z = decoder.AddInput("z", latent);
        OnnxLayerRegistry.Emit(decoder, layout.Decoder, PathOf(layout.Decoder), z, outputName);
        decoder.AddOutput(outputName, layout.EncoderInputShape);

        var metadata = Metadata(model, layout, outputName, options);
        return (Model(encoder.Build("vae_encoder"), metadata, "encoder", options).ToByteArray(),
                Model(decoder.Build("vae_decoder"), metadata, "decoder", options).ToByteArray());
    }

    /// <summary>The facts stored in both graphs' metadata_props (and in model.json).</summary>
    public static Dictionary<string, string> Metadata(VaeModule model, VaeGraphLayout layout, string outputName, ExportOptions options)
    {
        VaeConfig config = model.Config;
        return new Dictionary<string, string>
        {
            [VaeMetadata.FormatVersion] = VaeMetadata.CurrentFormatVersion.ToString(),
            [VaeMetadata.ModelKind] = config.Architecture.ToString().ToLowerInvariant(),
            [VaeMetadata.InputShape] = VaeMetadata.FormatShape(layout.EncoderInputShape),
            [VaeMetadata.ImageShape] = VaeMetadata.FormatShape(config.InputShape),
            [VaeMetadata.LatentSize] = config.LatentSize.ToString(),
            [VaeMetadata.Likelihood] = config.Likelihood.ToString().ToLowerInvariant(),
            [VaeMetadata.OutputKind] = outputName,
            [VaeMetadata.PixelScaling] = "x / 255 (values in [0, 1])",
            [VaeMetadata.Classes] = "0",
            [VaeMetadata.Producer] = Producer,
            [VaeMetadata.Training] = options.TrainingSummary,
        };
    }

    /// <summary>Producer name and version written into every model.</summary>
    public static string Producer => $"Vae.Training {typeof(VaeOnnxGraphs).Assembly.GetName().Version}";

    private static ModelProto Model(GraphProto graph, Dictionary<string, string> metadata, string which, ExportOptions options)
    {
        var proto = new ModelProto
        {
            IrVersion = options.IrVersion,
            ProducerName = "Vae.Training",
            ProducerVersion = typeof(VaeOnnxGraphs).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
            DocString = $"VAE {which}",
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in metadata) proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = VaeMetadata.Graph, Value = which });
        return proto;
    }
}
