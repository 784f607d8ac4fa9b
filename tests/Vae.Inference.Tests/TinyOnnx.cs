using Google.Protobuf;
using Vae.Onnx.Proto;

namespace Vae.Inference.Tests;

/// <summary>
/// Writes small ONNX models with the protobuf types generated from proto/onnx_subset.proto, so the tests can build
/// graphs the exporter does not make, such as a conditional pair or weights kept as ONNX external data, without
/// TorchSharp or the exporter.
/// </summary>
internal static class TinyOnnx
{
    /// <summary>
    /// A linear conditional VAE pair: encoder [x, y]·W → mean, logvar; decoder [z, y]·V → logits, plus
    /// probs = σ(logits) declared with <paramref name="probsSize"/> values per sample when that is given.
    /// </summary>
    public static string WriteConditionalPair(int inputSize, int classes, int latent, float[] meanWeights, float[] logvarWeights, float[] decoderWeights, int? probsSize = null)
    {
        string folder = Vae.Tests.RepoPaths.NewTempFolder();
        var metadata = Metadata(inputSize, latent, "bernoulli", "logits", classes);
        ModelProto encoder = Model(Graph(
            [Node("Concat", [VaeGraphNames.X, VaeGraphNames.Y], ["h"], axis: 1), Node("MatMul", ["h", "Wm"], [VaeGraphNames.Mean]), Node("MatMul", ["h", "Wl"], [VaeGraphNames.Logvar])],
            [Tensor("Wm", [inputSize + classes, latent], meanWeights), Tensor("Wl", [inputSize + classes, latent], logvarWeights)],
            [ValueInfo(VaeGraphNames.X, inputSize), ValueInfo(VaeGraphNames.Y, classes)], [ValueInfo(VaeGraphNames.Mean, latent), ValueInfo(VaeGraphNames.Logvar, latent)]),
            new(metadata) { [VaeMetadata.Graph] = "encoder" });
        List<NodeProto> decoderNodes = [Node("Concat", [VaeGraphNames.Z, VaeGraphNames.Y], ["h"], axis: 1), Node("MatMul", ["h", "V"], [VaeGraphNames.Logits])];
        List<ValueInfoProto> decoderOutputs = [ValueInfo(VaeGraphNames.Logits, inputSize)];
        if (probsSize is int size)
        {
            decoderNodes.Add(Node("Sigmoid", [VaeGraphNames.Logits], [VaeGraphNames.Probs]));
            decoderOutputs.Add(ValueInfo(VaeGraphNames.Probs, size));
        }
        ModelProto decoder = Model(Graph(
            decoderNodes,
            [Tensor("V", [latent + classes, inputSize], decoderWeights)],
            [ValueInfo(VaeGraphNames.Z, latent), ValueInfo(VaeGraphNames.Y, classes)], decoderOutputs),
            new(metadata) { [VaeMetadata.Graph] = "decoder" });
        Write(folder, encoder, decoder);
        return folder;
    }

    /// <summary>
    /// A linear Gaussian VAE pair with a decoder output <c>logvar</c>: x·Wm → mean, x·Wl → logvar; z·V → mean and
    /// z·L + b → logvar (a constant per-pixel log-variance b when <paramref name="logvarWeights"/> are all zero).
    /// <paramref name="metadataOverrides"/> replace metadata entries in both graphs.
    /// </summary>
    public static string WriteGaussianPair(int inputSize, int latent, float[] meanWeights, float[] logvarWeights, float[] decoderWeights,
                                           float[] pixelLogvarWeights, float[] pixelLogvarBias, IReadOnlyDictionary<string, string>? metadataOverrides = null)
    {
        string folder = Vae.Tests.RepoPaths.NewTempFolder();
        var metadata = Metadata(inputSize, latent, "gaussian", "mean", classes: 0);
        foreach (var (key, value) in metadataOverrides ?? new Dictionary<string, string>()) metadata[key] = value;
        ModelProto encoder = LinearEncoder(inputSize, latent, meanWeights, logvarWeights, new(metadata) { [VaeMetadata.Graph] = "encoder" });
        ModelProto decoder = Model(Graph(
            [Node("MatMul", [VaeGraphNames.Z, "V"], [VaeGraphNames.Mean]), Node("MatMul", [VaeGraphNames.Z, "L"], ["zl"]), Node("Add", ["zl", "b"], [VaeGraphNames.Logvar])],
            [Tensor("V", [latent, inputSize], decoderWeights), Tensor("L", [latent, inputSize], pixelLogvarWeights), Tensor("b", [inputSize], pixelLogvarBias)],
            [ValueInfo(VaeGraphNames.Z, latent)], [ValueInfo(VaeGraphNames.Mean, inputSize), ValueInfo(VaeGraphNames.Logvar, inputSize)]),
            new(metadata) { [VaeMetadata.Graph] = "decoder" });
        Write(folder, encoder, decoder);
        return folder;
    }

    /// <summary>
    /// A linear Bernoulli pair (encoder x·Wm → mean, x·Wl → logvar; decoder z·V → logits) whose encoder keeps its mean
    /// weights Wm as ONNX external data: bytes 16 onwards of the file <paramref name="location"/> (relative to the
    /// model's folder), which is written there unless it leaves the folder. Returns the model folder.
    /// </summary>
    public static string WriteExternalDataPair(int inputSize, int latent, float[] meanWeights, float[] logvarWeights, float[] decoderWeights, string location)
    {
        string folder = Vae.Tests.RepoPaths.NewTempFolder();
        var metadata = Metadata(inputSize, latent, "bernoulli", "logits", classes: 0);
        ModelProto encoder = LinearEncoder(inputSize, latent, meanWeights, logvarWeights, new(metadata) { [VaeMetadata.Graph] = "encoder" });
        TensorProto wm = encoder.Graph.Initializer.Single(t => t.Name == "Wm");
        byte[] data = [.. new byte[16], .. wm.RawData.ToByteArray()];
        wm.RawData = ByteString.Empty;
        wm.DataLocation = TensorProto.Types.DataLocation.External;
        wm.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        wm.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "16" });
        wm.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = $"{data.Length - 16}" });
        string path = Path.GetFullPath(Path.Combine(folder, location));
        if (path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) File.WriteAllBytes(path, data);
        ModelProto decoder = Model(Graph(
            [Node("MatMul", [VaeGraphNames.Z, "V"], [VaeGraphNames.Logits])],
            [Tensor("V", [latent, inputSize], decoderWeights)],
            [ValueInfo(VaeGraphNames.Z, latent)], [ValueInfo(VaeGraphNames.Logits, inputSize)]),
            new(metadata) { [VaeMetadata.Graph] = "decoder" });
        Write(folder, encoder, decoder);
        return folder;
    }

    private static Dictionary<string, string> Metadata(int inputSize, int latent, string likelihood, string outputKind, int classes) => new()
    {
        [VaeMetadata.FormatVersion] = "1", [VaeMetadata.ModelKind] = "mlp", [VaeMetadata.InputShape] = $"{inputSize}",
        [VaeMetadata.ImageShape] = $"1,1,{inputSize}", [VaeMetadata.LatentSize] = $"{latent}", [VaeMetadata.Likelihood] = likelihood,
        [VaeMetadata.OutputKind] = outputKind, [VaeMetadata.Classes] = $"{classes}",
    };

    private static ModelProto LinearEncoder(int inputSize, int latent, float[] meanWeights, float[] logvarWeights, Dictionary<string, string> metadata) => Model(Graph(
        [Node("MatMul", [VaeGraphNames.X, "Wm"], [VaeGraphNames.Mean]), Node("MatMul", [VaeGraphNames.X, "Wl"], [VaeGraphNames.Logvar])],
        [Tensor("Wm", [inputSize, latent], meanWeights), Tensor("Wl", [inputSize, latent], logvarWeights)],
        [ValueInfo(VaeGraphNames.X, inputSize)], [ValueInfo(VaeGraphNames.Mean, latent), ValueInfo(VaeGraphNames.Logvar, latent)]), metadata);

    private static void Write(string folder, ModelProto encoder, ModelProto decoder)
    {
        File.WriteAllBytes(Path.Combine(folder, VaeModel.EncoderFile), encoder.ToByteArray());
        File.WriteAllBytes(Path.Combine(folder, VaeModel.DecoderFile), decoder.ToByteArray());
    }

    private static ModelProto Model(GraphProto graph, Dictionary<string, string> metadata)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static GraphProto Graph(IEnumerable<NodeProto> nodes, IEnumerable<TensorProto> initializers, IEnumerable<ValueInfoProto> inputs, IEnumerable<ValueInfoProto> outputs)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Node.AddRange(nodes);
        graph.Initializer.AddRange(initializers);
        graph.Input.AddRange(inputs);
        graph.Output.AddRange(outputs);
        return graph;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, long? axis = null)
    {
        var node = new NodeProto { Name = op + "_" + outputs[0], OpType = op };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        if (axis is long a) node.Attribute.Add(new AttributeProto { Name = "axis", I = a, Type = AttributeProto.Types.AttributeType.Int });
        return node;
    }

    private static TensorProto Tensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A float tensor [batch, width] with a symbolic batch dimension.</summary>
    private static ValueInfoProto ValueInfo(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}
