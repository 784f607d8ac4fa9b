using Google.Protobuf;
using TorchSharp;
using Vae.Onnx.Proto;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Accumulates the nodes, initializers, inputs and outputs of one ONNX graph. Value names are made
/// unique; initializers keep the TorchSharp parameter names they are given.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>Name of the symbolic batch dimension on every graph input and output.</summary>
    public const string BatchDim = "batch";

    private readonly List<NodeProto> nodes = [];
    private readonly List<TensorProto> initializers = [];
    private readonly List<ValueInfoProto> inputs = [];
    private readonly List<ValueInfoProto> outputs = [];
    private readonly HashSet<string> names = [];

    /// <summary>A builder for a graph targeting <paramref name="opset"/> (between <see cref="OnnxOpsets.Min"/> and <see cref="OnnxOpsets.Max"/>).</summary>
    public OnnxGraphBuilder(int opset)
    {
        OnnxOpsets.Check(opset);
        Opset = opset;
    }

    /// <summary>The opset the graph targets; converters choose decompositions from it.</summary>
    public int Opset { get; }

    /// <summary>Declares a float graph input of shape [batch, ...sampleShape].</summary>
    public OnnxValue AddInput(string name, IReadOnlyList<int> sampleShape)
    {
        Reserve(name);
        inputs.Add(FloatValueInfo(name, sampleShape));
        return new OnnxValue(name, [.. sampleShape]);
    }

    /// <summary>Declares a float graph output of shape [batch, ...sampleShape]; <paramref name="name"/> must already be produced by a node.</summary>
    public void AddOutput(string name, IReadOnlyList<int> sampleShape) => outputs.Add(FloatValueInfo(name, sampleShape));

    /// <summary>Declares <paramref name="value"/> as a float graph output of shape [batch, ...value.SampleShape].</summary>
    public void AddOutput(OnnxValue value) => AddOutput(value.Name, value.SampleShape);

    /// <summary>Adds a float initializer holding a copy of <paramref name="value"/>, named <paramref name="name"/>.</summary>
    public string AddInitializer(string name, Tensor value)
    {
        Reserve(name);
        using Tensor contiguous = value.detach().cpu().to(float32).contiguous();
        return AddFloatTensor(name, contiguous.bytes, contiguous.shape);
    }

    /// <summary>Adds an int64 constant initializer (shapes, axes).</summary>
    public string AddInt64Initializer(string nameHint, params long[] values)
    {
        string name = Unique(nameHint);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        initializers.Add(proto);
        return name;
    }

    /// <summary>Adds a float constant initializer of shape <paramref name="dims"/> (e.g. default scales and shifts).</summary>
    public string AddFloatConstant(string nameHint, float[] values, params long[] dims)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
            throw new ArgumentException($"{nameof(values)} has {values.Length} entries, expected {count} for shape [{string.Join(", ", dims)}].", nameof(values));
        return AddFloatTensor(Unique(nameHint), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), dims);
    }

    // raw_data is little-endian float32, the in-memory layout of float on every platform .NET and libtorch run on.
    private string AddFloatTensor(string name, ReadOnlySpan<byte> raw, long[] dims)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(raw) };
        proto.Dims.AddRange(dims);
        initializers.Add(proto);
        return name;
    }

    /// <summary>Adds a float scalar constant initializer.</summary>
    public string AddScalar(string nameHint, float value)
    {
        string name = Unique(nameHint);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        initializers.Add(proto);
        return name;
    }

    /// <summary>
    /// Adds a node with one output. The output is named <paramref name="outputName"/> when given (a graph
    /// output), otherwise a unique name derived from <paramref name="nameHint"/>.
    /// </summary>
    public string AddNode(string opType, IEnumerable<string> nodeInputs, string nameHint, string? outputName = null, params AttributeProto[] attributes)
    {
        string output = outputName ?? Unique(nameHint + "/" + opType);
        if (outputName is not null) Reserve(outputName);
        var node = new NodeProto { OpType = opType, Name = Unique("node:" + nameHint + "/" + opType) };
        node.Input.AddRange(nodeInputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        nodes.Add(node);
        return output;
    }

    /// <summary>The finished graph.</summary>
    public GraphProto Build(string graphName)
    {
        var graph = new GraphProto { Name = graphName };
        graph.Node.AddRange(nodes);
        graph.Initializer.AddRange(initializers);
        graph.Input.AddRange(inputs);
        graph.Output.AddRange(outputs);
        return graph;
    }

    /// <summary>
    /// The finished graph as a serialised ONNX model: opset and IR version from <paramref name="options"/>,
    /// <paramref name="metadata"/> as metadata_props.
    /// </summary>
    public byte[] ToModelBytes(string graphName, ExportOptions options, IEnumerable<KeyValuePair<string, string>> metadata, string docString)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string version = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "";
        var proto = new ModelProto
        {
            IrVersion = options.EffectiveIrVersion,
            ProducerName = ProducerName,
            ProducerVersion = version,
            Graph = Build(graphName),
            DocString = docString,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata) proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto.ToByteArray();
    }

    /// <summary>producer_name of every model this exporter writes.</summary>
    public const string ProducerName = "Vae.Training";

    /// <summary>An INT attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A FLOAT attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A STRING attribute.</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private string Unique(string hint)
    {
        string name = hint;
        for (int i = 1; names.Contains(name); i++) name = $"{hint}_{i}";
        names.Add(name);
        return name;
    }

    private void Reserve(string name)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"ONNX value name '{name}' is used twice in one graph.");
    }

    private static ValueInfoProto FloatValueInfo(string name, IReadOnlyList<int> sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDim });
        foreach (int d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
