using System.Text;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// An <see cref="InputNormalization"/> as a two-node ONNX graph, <c>x = (raw − offset) / divisor</c> (Sub, Div; opset 13,
/// IR 8), so that a saved VAE step with <see cref="VaeEmbeddingOptions.NormalizeInput"/> can apply it through ML.NET's
/// own ApplyOnnxModel: ML.NET has no transform with given per-value offsets and divisors. Written in protobuf's wire
/// format directly (onnx.proto field numbers), as this library references no protobuf runtime.
/// </summary>
internal static class NormalizationGraph
{
    /// <summary>The graph's input and output names.</summary>
    public const string Input = "vae_raw", Output = OnnxFormatStep.EncoderInput;

    /// <summary>The ONNX model bytes for samples of <paramref name="sampleSize"/> values.</summary>
    public static byte[] Build(InputNormalization normalization, int sampleSize)
    {
        byte[] graph = new Message()
            .Bytes(1, Node("Sub", [Input, "vae_offset"], "vae_centered"))
            .Bytes(1, Node("Div", ["vae_centered", "vae_divisor"], Output))
            .Str(2, "vae_input_normalization")
            .Bytes(5, Tensor("vae_offset", normalization.Offset))
            .Bytes(5, Tensor("vae_divisor", normalization.Divisor))
            .Bytes(11, ValueInfo(Input, sampleSize))
            .Bytes(12, ValueInfo(Output, sampleSize))
            .ToArray();
        return new Message()
            .Int(1, 8)                                                          // ir_version
            .Str(2, "Vae.MLNet")                                                // producer_name
            .Bytes(7, graph)
            .Bytes(8, new Message().Str(1, "").Int(2, 13).ToArray())            // opset_import: ai.onnx 13
            .ToArray();
    }

    private static byte[] Node(string op, string[] inputs, string output)
    {
        var node = new Message();
        foreach (string input in inputs) node.Str(1, input);
        return node.Str(2, output).Str(3, $"vae_{op.ToLowerInvariant()}").Str(4, op).ToArray();
    }

    /// <summary>A float tensor [n] (n = 1 broadcasts over the sample) with its values as raw little-endian bytes.</summary>
    private static byte[] Tensor(string name, float[] values)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(i * sizeof(float)), values[i]);
        return new Message().Int(1, values.Length).Int(2, 1).Str(8, name).Bytes(9, raw).ToArray();
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

        public Message Int(int field, long value)
        {
            Varint((ulong)(field << 3));
            Varint((ulong)value);
            return this;
        }

        public Message Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Message Bytes(int field, byte[] value)
        {
            Varint((ulong)((field << 3) | 2));
            Varint((ulong)value.Length);
            stream.Write(value);
            return this;
        }

        public byte[] ToArray() => stream.ToArray();

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            stream.WriteByte((byte)value);
        }
    }
}
