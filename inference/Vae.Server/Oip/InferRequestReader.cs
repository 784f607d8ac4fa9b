using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Vae.Server.Models;

namespace Vae.Server.Oip;

/// <summary>
/// Parses and checks an OIP v2 infer request against its graph: the JSON object, optionally followed by binary tensor
/// data (Triton's binary tensor extension: the <c>Inference-Header-Content-Length</c> header gives the JSON's length,
/// and each input with a <c>binary_data_size</c> parameter takes that many bytes, in order). Every failure is a 400
/// naming what was expected and what was found.
/// </summary>
public static class InferRequestReader
{
    /// <summary>The header giving the length of the JSON part of a body that carries binary tensors.</summary>
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <param name="body">The whole request body.</param>
    /// <param name="jsonLength">Bytes of JSON at the start of <paramref name="body"/> (the whole body without binary data).</param>
    /// <param name="allowNonFinite">Whether NaN and ±Infinity pass (binary data can carry them; JSON numbers cannot).</param>
    /// <exception cref="ProtocolException">400 naming the problem.</exception>
    public static InferRequest Parse(byte[] body, int jsonLength, IGraph graph, int maxRows, bool allowNonFinite)
    {
        if (jsonLength < 0 || jsonLength > body.Length)
            throw Bad($"{HeaderLength} is {jsonLength}; expected 0 to the body's {body.Length} bytes.");
        JsonDocument document;
        try { document = JsonDocument.Parse(body.AsMemory(0, jsonLength)); }
        catch (JsonException e) { throw Bad($"the request is not valid JSON: {e.Message}"); }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad($"the request is a JSON {Kind(root)}; expected an object with \"inputs\".");
            string? id = root.TryGetProperty("id", out JsonElement idElement) ? String(idElement, "id") : null;
            (bool binaryOutputs, long timeout) = RequestParameters(root);
            IReadOnlyList<RequestedOutput>? outputs = RequestedOutputs(root, graph, binaryOutputs);
            if (!root.TryGetProperty("inputs", out JsonElement inputs) || inputs.ValueKind != JsonValueKind.Array)
                throw Bad($"the request has no \"inputs\" array; {graph.Name} takes {Describe(graph.Inputs)}.");
            var reader = new BinarySection(body, jsonLength);
            float[]?[] values = new float[graph.Inputs.Count][];
            int rows = -1;
            foreach (JsonElement input in inputs.EnumerateArray())
            {
                if (input.ValueKind != JsonValueKind.Object) throw Bad($"an element of \"inputs\" is a JSON {Kind(input)}; expected an object with name, shape, datatype and data.");
                string name = input.TryGetProperty("name", out JsonElement n) ? String(n, "inputs[].name") : throw Bad("an input has no \"name\".");
                int index = IndexOf(graph.Inputs, name);
                if (index < 0) throw Bad($"input '{name}' is not an input of {graph.Name}; it takes {Describe(graph.Inputs)}.");
                if (values[index] is not null) throw Bad($"input '{name}' is given twice.");
                TensorSpec spec = graph.Inputs[index];
                int inputRows = Rows(input, spec, maxRows);
                if (rows >= 0 && inputRows != rows) throw Bad($"input '{name}' has {inputRows} rows but the inputs before it have {rows}; every input needs the same batch size.");
                rows = inputRows;
                values[index] = Data(input, spec, rows, ref reader);
                if (!allowNonFinite && IndexOfNonFinite(values[index]!) is int bad and >= 0)
                    throw Bad($"input '{name}' holds {values[index]![bad]} at flat index {bad}; expected finite values (the server runs with Serve:AllowNonFinite false).");
            }
            for (int i = 0; i < values.Length; i++)
                if (values[i] is null) throw Bad($"input '{graph.Inputs[i].Name}' is missing; {graph.Name} takes {Describe(graph.Inputs)}.");
            if (reader.Remaining > 0) throw Bad($"{reader.Remaining} bytes follow the binary tensors; their binary_data_size parameters account for {reader.Used} of the {body.Length - jsonLength} bytes after the JSON.");
            return new InferRequest(id, values!, rows, outputs, binaryOutputs, timeout);
        }
    }

    private static (bool BinaryOutputs, long Timeout) RequestParameters(JsonElement root)
    {
        if (!root.TryGetProperty("parameters", out JsonElement parameters)) return (false, 0);
        if (parameters.ValueKind != JsonValueKind.Object) throw Bad($"\"parameters\" is a JSON {Kind(parameters)}; expected an object.");
        bool binary = parameters.TryGetProperty("binary_data_output", out JsonElement b) && Bool(b, "parameters.binary_data_output");
        long timeout = 0;
        if (parameters.TryGetProperty("timeout", out JsonElement t) && (t.ValueKind != JsonValueKind.Number || !t.TryGetInt64(out timeout) || timeout < 0))
            throw Bad($"parameters.timeout is {t.GetRawText()}; expected microseconds as a whole number ≥ 0 (0: the server's default).");
        return (binary, timeout);
    }

    /// <summary>The batch size of an input after checking its datatype and shape against <paramref name="spec"/>.</summary>
    private static int Rows(JsonElement input, TensorSpec spec, int maxRows)
    {
        string datatype = input.TryGetProperty("datatype", out JsonElement d) ? String(d, $"inputs['{spec.Name}'].datatype") : throw Bad($"input '{spec.Name}' has no \"datatype\"; expected \"{spec.Datatype}\".");
        if (datatype != spec.Datatype) throw Bad($"input '{spec.Name}' has datatype {datatype}; the model takes {spec.Datatype}.");
        if (!input.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array)
            throw Bad($"input '{spec.Name}' has no \"shape\" array; expected [batch,{string.Join(",", spec.SampleShape)}].");
        var dims = new List<long>();
        foreach (JsonElement dim in shape.EnumerateArray())
            dims.Add(dim.ValueKind == JsonValueKind.Number && dim.TryGetInt64(out long v) && v >= 0 ? v : throw Bad($"input '{spec.Name}' has shape {shape.GetRawText()}; expected whole numbers ≥ 0."));
        bool fits = dims.Count == spec.SampleShape.Length + 1 && dims.Skip(1).SequenceEqual(spec.SampleShape.Select(s => (long)s));
        if (!fits) throw Bad($"input '{spec.Name}' has shape {shape.GetRawText()}; the model takes [batch,{string.Join(",", spec.SampleShape)}] (metadata shape {spec.DescribeShape()}).");
        if (dims[0] < 1) throw Bad($"input '{spec.Name}' has a batch of 0 rows; expected 1 or more.");
        if (dims[0] > maxRows) throw Bad($"input '{spec.Name}' has {dims[0]} rows; a request carries at most {maxRows} (Serve:MaxRowsPerRequest).");
        return (int)dims[0];
    }

    /// <summary>The values of one input: from its binary data when it has a binary_data_size parameter, else from "data".</summary>
    private static float[] Data(JsonElement input, TensorSpec spec, int rows, ref BinarySection binary)
    {
        int count = rows * spec.SampleSize;
        var values = new float[count];
        if (input.TryGetProperty("parameters", out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("binary_data_size", out JsonElement size))
        {
            if (input.TryGetProperty("data", out _)) throw Bad($"input '{spec.Name}' has both \"data\" and a binary_data_size parameter; expected one of them.");
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out long bytes) || bytes != (long)count * sizeof(float))
                throw Bad($"input '{spec.Name}' has binary_data_size {size.GetRawText()}; its shape needs {count} FP32 values = {(long)count * sizeof(float)} bytes.");
            ReadOnlySpan<byte> raw = binary.Take((int)bytes, spec.Name);
            if (BitConverter.IsLittleEndian) raw.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
            return values;
        }
        if (!input.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Array)
            throw Bad($"input '{spec.Name}' has no \"data\" array (nor a binary_data_size parameter); expected {count} numbers.");
        int filled = 0;
        Flatten(data, values, ref filled, spec.Name);
        if (filled != count) throw Bad($"input '{spec.Name}' holds {filled} values; its shape [{rows},{string.Join(",", spec.SampleShape)}] needs {count}.");
        return values;
    }

    /// <summary>Row-major values of a flat or nested JSON array; stops with a 400 past <paramref name="values"/>' length.</summary>
    private static void Flatten(JsonElement array, float[] values, ref int filled, string name)
    {
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                Flatten(item, values, ref filled, name);
                continue;
            }
            if (item.ValueKind != JsonValueKind.Number) throw Bad($"input '{name}' holds a JSON {Kind(item)} at flat index {filled}; expected numbers.");
            if (filled == values.Length) throw Bad($"input '{name}' holds more than the {values.Length} values its shape needs.");
            values[filled++] = item.TryGetSingle(out float v) ? v : float.PositiveInfinity;
        }
    }

    private static IReadOnlyList<RequestedOutput>? RequestedOutputs(JsonElement root, IGraph graph, bool binaryDefault)
    {
        if (!root.TryGetProperty("outputs", out JsonElement outputs)) return null;
        if (outputs.ValueKind != JsonValueKind.Array) throw Bad($"\"outputs\" is a JSON {Kind(outputs)}; expected an array of {{\"name\": ...}}.");
        var asked = new List<RequestedOutput>();
        foreach (JsonElement output in outputs.EnumerateArray())
        {
            string name = output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out JsonElement n) ? String(n, "outputs[].name") : throw Bad("an element of \"outputs\" has no \"name\".");
            if (IndexOf(graph.Outputs, name) < 0) throw Bad($"output '{name}' is not an output of {graph.Name}; it gives {Describe(graph.Outputs)}.");
            if (asked.Any(o => o.Name == name)) throw Bad($"output '{name}' is asked for twice.");
            bool binary = binaryDefault;
            if (output.TryGetProperty("parameters", out JsonElement p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("binary_data", out JsonElement b))
                binary = Bool(b, $"outputs['{name}'].parameters.binary_data");
            asked.Add(new RequestedOutput(name, binary));
        }
        return asked.Count == 0 ? null : asked;
    }

    /// <summary>The index of the first NaN or infinity, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
    {
        for (int i = 0; i < specs.Count; i++)
            if (specs[i].Name == name) return i;
        return -1;
    }

    internal static string Describe(IReadOnlyList<TensorSpec> specs) =>
        string.Join(", ", specs.Select(s => $"'{s.Name}' {s.Datatype} {s.DescribeShape()}"));

    private static string String(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad($"{what} is a JSON {Kind(e)}; expected a string.");

    private static bool Bool(JsonElement e, string what) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Bad($"{what} is {e.GetRawText()}; expected true or false."),
    };

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static ProtocolException Bad(string message) => ProtocolException.BadRequest(message);

    /// <summary>The bytes after the JSON, handed out input by input.</summary>
    private ref struct BinarySection(byte[] body, int start)
    {
        private readonly int begin = start;
        private int position = start;

        public readonly int Used => position - begin;

        public readonly int Remaining => body.Length - position;

        public ReadOnlySpan<byte> Take(int bytes, string input)
        {
            if (bytes > Remaining)
                throw Bad($"input '{input}' needs {bytes} bytes of binary data but only {Remaining} remain after the JSON ({HeaderLength} and the body's length disagree with the binary_data_size parameters).");
            var span = new ReadOnlySpan<byte>(body, position, bytes);
            position += bytes;
            return span;
        }
    }
}
