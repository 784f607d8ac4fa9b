using System.Text;

namespace Vae.Inference.Tests;

/// <summary>
/// Writes small ONNX models by hand (protobuf wire format, onnx.proto field numbers) so the tests can build graphs
/// the exporter does not make yet, such as a conditional pair, without TorchSharp or the exporter.
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
        var metadata = new Dictionary<string, string>
        {
            ["vae.format_version"] = "1", ["vae.model_kind"] = "mlp", ["vae.input_shape"] = $"{inputSize}",
            ["vae.image_shape"] = $"1,1,{inputSize}", ["vae.latent_size"] = $"{latent}", ["vae.likelihood"] = "bernoulli",
            ["vae.output_kind"] = "logits", ["vae.classes"] = $"{classes}",
        };
        byte[] encoder = Model(Graph(
            [Node("Concat", ["x", "y"], ["h"], axis: 1), Node("MatMul", ["h", "Wm"], ["mean"]), Node("MatMul", ["h", "Wl"], ["logvar"])],
            [Tensor("Wm", [inputSize + classes, latent], meanWeights), Tensor("Wl", [inputSize + classes, latent], logvarWeights)],
            [ValueInfo("x", inputSize), ValueInfo("y", classes)], [ValueInfo("mean", latent), ValueInfo("logvar", latent)]),
            new(metadata) { ["vae.graph"] = "encoder" });
        byte[][] decoderNodes = [Node("Concat", ["z", "y"], ["h"], axis: 1), Node("MatMul", ["h", "V"], ["logits"])];
        byte[][] decoderOutputs = [ValueInfo("logits", inputSize)];
        if (probsSize is int size)
        {
            decoderNodes = [.. decoderNodes, Node("Sigmoid", ["logits"], ["probs"])];
            decoderOutputs = [.. decoderOutputs, ValueInfo("probs", size)];
        }
        byte[] decoder = Model(Graph(
            decoderNodes,
            [Tensor("V", [latent + classes, inputSize], decoderWeights)],
            [ValueInfo("z", latent), ValueInfo("y", classes)], decoderOutputs),
            new(metadata) { ["vae.graph"] = "decoder" });
        File.WriteAllBytes(Path.Combine(folder, VaeModel.EncoderFile), encoder);
        File.WriteAllBytes(Path.Combine(folder, VaeModel.DecoderFile), decoder);
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
        var metadata = new Dictionary<string, string>
        {
            ["vae.format_version"] = "1", ["vae.model_kind"] = "mlp", ["vae.input_shape"] = $"{inputSize}",
            ["vae.image_shape"] = $"1,1,{inputSize}", ["vae.latent_size"] = $"{latent}", ["vae.likelihood"] = "gaussian",
            ["vae.output_kind"] = "mean", ["vae.classes"] = "0",
        };
        foreach (var (key, value) in metadataOverrides ?? new Dictionary<string, string>()) metadata[key] = value;
        byte[] encoder = Model(Graph(
            [Node("MatMul", ["x", "Wm"], ["mean"]), Node("MatMul", ["x", "Wl"], ["logvar"])],
            [Tensor("Wm", [inputSize, latent], meanWeights), Tensor("Wl", [inputSize, latent], logvarWeights)],
            [ValueInfo("x", inputSize)], [ValueInfo("mean", latent), ValueInfo("logvar", latent)]),
            new(metadata) { ["vae.graph"] = "encoder" });
        byte[] decoder = Model(Graph(
            [Node("MatMul", ["z", "V"], ["mean"]), Node("MatMul", ["z", "L"], ["zl"]), Node("Add", ["zl", "b"], ["logvar"])],
            [Tensor("V", [latent, inputSize], decoderWeights), Tensor("L", [latent, inputSize], pixelLogvarWeights), Tensor("b", [inputSize], pixelLogvarBias)],
            [ValueInfo("z", latent)], [ValueInfo("mean", inputSize), ValueInfo("logvar", inputSize)]),
            new(metadata) { ["vae.graph"] = "decoder" });
        File.WriteAllBytes(Path.Combine(folder, VaeModel.EncoderFile), encoder);
        File.WriteAllBytes(Path.Combine(folder, VaeModel.DecoderFile), decoder);
        return folder;
    }

    private static byte[] Model(byte[] graph, Dictionary<string, string> metadata)
    {
        var m = new Message().Int(1, 8).Bytes(8, new Message().Str(1, "").Int(2, 17).ToArray()).Str(2, "tests").Bytes(7, graph);
        foreach (var (key, value) in metadata) m.Bytes(14, new Message().Str(1, key).Str(2, value).ToArray());
        return m.ToArray();
    }

    private static byte[] Graph(byte[][] nodes, byte[][] initializers, byte[][] inputs, byte[][] outputs)
    {
        var g = new Message();
        foreach (var n in nodes) g.Bytes(1, n);
        g.Str(2, "g");
        foreach (var t in initializers) g.Bytes(5, t);
        foreach (var i in inputs) g.Bytes(11, i);
        foreach (var o in outputs) g.Bytes(12, o);
        return g.ToArray();
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs, long? axis = null)
    {
        var n = new Message();
        foreach (var i in inputs) n.Str(1, i);
        foreach (var o in outputs) n.Str(2, o);
        n.Str(3, op + "_" + outputs[0]).Str(4, op);
        if (axis is long a) n.Bytes(5, new Message().Str(1, "axis").Int(3, a).Int(20, 2).ToArray());
        return n.ToArray();
    }

    private static byte[] Tensor(string name, long[] dims, float[] values)
    {
        var t = new Message();
        foreach (long d in dims) t.Int(1, d);
        t.Int(2, 1).Str(8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return t.Bytes(9, raw).ToArray();
    }

    /// <summary>A float tensor [batch, width] with a symbolic batch dimension.</summary>
    private static byte[] ValueInfo(string name, int width)
    {
        byte[] shape = new Message().Bytes(1, new Message().Str(2, "batch").ToArray()).Bytes(1, new Message().Int(1, width).ToArray()).ToArray();
        byte[] tensorType = new Message().Int(1, 1).Bytes(2, shape).ToArray();
        return new Message().Str(1, name).Bytes(2, new Message().Bytes(1, tensorType).ToArray()).ToArray();
    }

    /// <summary>Protobuf wire format: varint fields (wire type 0) and length-delimited fields (wire type 2).</summary>
    private sealed class Message
    {
        private readonly MemoryStream stream = new();

        public Message Int(int field, long value) { Varint((ulong)(field << 3)); Varint((ulong)value); return this; }

        public Message Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Message Bytes(int field, byte[] value)
        {
            Varint((ulong)((field << 3) | 2));
            Varint((ulong)value.Length);
            stream.Write(value);
            return this;
        }

        public byte[] ToArray() => stream.ToArray();

        private void Varint(ulong v)
        {
            while (v >= 0x80) { stream.WriteByte((byte)(v | 0x80)); v >>= 7; }
            stream.WriteByte((byte)v);
        }
    }
}
