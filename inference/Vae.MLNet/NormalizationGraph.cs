using Google.Protobuf;
using Vae.Inference;
using Vae.Onnx.Proto;

namespace Vae.MLNet;

/// <summary>
/// An <see cref="InputNormalization"/> as a two-node ONNX graph, <c>x = (raw − offset) / divisor</c> (Sub, Div; opset 13,
/// IR 8), so that a saved VAE step with <see cref="VaeEmbeddingOptions.NormalizeInput"/> can apply it through ML.NET's
/// own ApplyOnnxModel: ML.NET has no transform with given per-value offsets and divisors. Written with the ONNX
/// protobuf types generated from proto/onnx_subset.proto.
/// </summary>
internal static class NormalizationGraph
{
    /// <summary>The graph's input and output names.</summary>
    public const string Input = "vae_raw", Output = OnnxFormatStep.EncoderInput;

    /// <summary>The ONNX model bytes for samples of <paramref name="sampleSize"/> values.</summary>
    public static byte[] Build(InputNormalization normalization, int sampleSize)
    {
        var graph = new GraphProto { Name = "vae_input_normalization" };
        graph.Node.Add(Node("Sub", [Input, "vae_offset"], "vae_centered"));
        graph.Node.Add(Node("Div", ["vae_centered", "vae_divisor"], Output));
        graph.Initializer.Add(Tensor("vae_offset", normalization.Offset));
        graph.Initializer.Add(Tensor("vae_divisor", normalization.Divisor));
        graph.Input.Add(ValueInfo(Input, sampleSize));
        graph.Output.Add(ValueInfo(Output, sampleSize));
        var model = new ModelProto { IrVersion = 8, ProducerName = "Vae.MLNet", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { Name = $"vae_{op.ToLowerInvariant()}", OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>A float tensor [n] (n = 1 broadcasts over the sample) with its values as raw little-endian bytes.</summary>
    private static TensorProto Tensor(string name, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.Add(values.Length);
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
