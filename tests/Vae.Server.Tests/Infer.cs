using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vae.Server.Tests;

/// <summary>OIP v2 infer bodies and answers as a client writes and reads them: JSON tensors, or binary tensors after the JSON.</summary>
internal static class Infer
{
    /// <summary>A JSON request with one FP32 input of shape [rows, size].</summary>
    public static JsonObject Json(string input, float[] values, int rows, params string[] outputs)
    {
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = input, ["shape"] = new JsonArray(rows, values.Length / rows), ["datatype"] = "FP32",
                ["data"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()),
            }),
        };
        if (outputs.Length > 0) request["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)new JsonObject { ["name"] = o }).ToArray());
        return request;
    }

    /// <summary>A request whose input travels as binary data; every output is asked for as binary data.</summary>
    public static HttpContent Binary(string input, float[] values, int rows)
    {
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = input, ["shape"] = new JsonArray(rows, values.Length / rows), ["datatype"] = "FP32",
                ["parameters"] = new JsonObject { ["binary_data_size"] = values.Length * 4 },
            }),
            ["parameters"] = new JsonObject { ["binary_data_output"] = true },
        };
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        byte[] body = [.. json, .. MemoryMarshal.AsBytes(values.AsSpan()).ToArray()];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        return content;
    }

    /// <summary>Every output of a JSON answer, by name: (shape, values).</summary>
    public static Dictionary<string, (long[] Shape, float[] Data)> Outputs(string text)
    {
        using JsonDocument json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(
            o => o.GetProperty("name").GetString()!,
            o => (o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), o.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()).ToArray()));
    }

    /// <summary>Every output of a binary answer (JSON, then each output's bytes in order), by name.</summary>
    public static async Task<Dictionary<string, (long[] Shape, float[] Data)>> BinaryOutputsAsync(HttpResponseMessage response)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        int jsonLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single());
        using JsonDocument json = JsonDocument.Parse(body.AsMemory(0, jsonLength));
        var outputs = new Dictionary<string, (long[], float[])>();
        int offset = jsonLength;
        foreach (JsonElement o in json.RootElement.GetProperty("outputs").EnumerateArray())
        {
            int bytes = o.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
            outputs[o.GetProperty("name").GetString()!] = (o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                MemoryMarshal.Cast<byte, float>(body.AsSpan(offset, bytes)).ToArray());
            offset += bytes;
        }
        Assert.Equal(body.Length, offset);
        return outputs;
    }
}
