using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Vae.Server.Batching;
using Vae.Server.Models;

namespace Vae.Server.Oip;

/// <summary>
/// Writes an OIP v2 infer response: the outputs asked for (all of the graph's when none were named), each as JSON
/// "data" or, when asked, as binary data after the JSON (with <c>Inference-Header-Content-Length</c>).
/// </summary>
public static class InferResponseWriter
{
    public static async Task WriteAsync(HttpResponse response, IGraph graph, InferRequest request, GraphResult result, CancellationToken cancellation)
    {
        IReadOnlyList<RequestedOutput> outputs = request.Outputs ?? graph.Outputs.Select(o => new RequestedOutput(o.Name, request.BinaryOutputs)).ToArray();
        var json = new ArrayBufferWriter<byte>(1024);
        var binary = new List<ArraySegment<float>>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", graph.Name);
            writer.WriteString("model_version", GraphModel.Version);
            if (request.Id is not null) writer.WriteString("id", request.Id);
            writer.WriteStartArray("outputs");
            foreach (RequestedOutput asked in outputs)
            {
                int index = IndexOf(graph, asked.Name);
                TensorSpec spec = graph.Outputs[index];
                ArraySegment<float> values = result.Outputs[index];
                writer.WriteStartObject();
                writer.WriteString("name", spec.Name);
                writer.WriteString("datatype", spec.Datatype);
                writer.WriteStartArray("shape");
                writer.WriteNumberValue(result.Rows);
                foreach (int d in spec.SampleShape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                if (asked.Binary)
                {
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", (long)values.Count * sizeof(float));
                    writer.WriteEndObject();
                    binary.Add(values);
                }
                else
                {
                    writer.WriteStartArray("data");
                    foreach (float v in values.AsSpan())
                    {
                        if (float.IsFinite(v)) writer.WriteNumberValue(v);
                        else writer.WriteNullValue(); // JSON has no NaN or Infinity: binary outputs carry them
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        response.StatusCode = StatusCodes.Status200OK;
        if (binary.Count == 0)
        {
            response.ContentType = "application/json";
            response.ContentLength = json.WrittenCount;
            await response.Body.WriteAsync(json.WrittenMemory, cancellation).ConfigureAwait(false);
            return;
        }
        long binaryBytes = binary.Sum(b => (long)b.Count * sizeof(float));
        response.ContentType = "application/octet-stream";
        response.Headers[InferRequestReader.HeaderLength] = json.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentLength = json.WrittenCount + binaryBytes;
        await response.Body.WriteAsync(json.WrittenMemory, cancellation).ConfigureAwait(false);
        foreach (ArraySegment<float> values in binary)
            await response.Body.WriteAsync(LittleEndianBytes(values), cancellation).ConfigureAwait(false);
    }

    /// <summary>The values as little-endian bytes, as the binary tensor extension sends them.</summary>
    private static ReadOnlyMemory<byte> LittleEndianBytes(ArraySegment<float> values)
    {
        var bytes = new byte[values.Count * sizeof(float)];
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes);
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < bytes.Length; i += 4) bytes.AsSpan(i, 4).Reverse();
        return bytes;
    }

    private static int IndexOf(IGraph graph, string name)
    {
        for (int i = 0; i < graph.Outputs.Count; i++)
            if (graph.Outputs[i].Name == name) return i;
        throw new ArgumentException($"output '{name}' is not an output of {graph.Name}.", nameof(name)); // requests are checked before they get here
    }
}
