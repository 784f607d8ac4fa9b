using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Inference;

namespace Vae.Server.Tests;

/// <summary>The Open Inference Protocol v2 endpoints on a TestServer serving models/reference: answers, parity with the library, and every error status.</summary>
public sealed class OipEndpointTests : IAsyncLifetime
{
    private TestServers server = null!;
    private VaeModel model = null!;

    public async Task InitializeAsync()
    {
        server = await TestServers.StartAsync(new() { ["Serve:MaxRequestBodyBytes"] = "200000", ["Serve:MaxRowsPerRequest"] = "50" });
        model = VaeModel.Load(TestServers.Reference);
    }

    public async Task DisposeAsync()
    {
        model.Dispose();
        await server.DisposeAsync();
    }

    private HttpClient Client => server.Client;

    [Fact]
    public async Task Health_and_server_metadata_answer_as_the_protocol_says()
    {
        Assert.Equal("""{"live":true}""", await Client.GetStringAsync("/v2/health/live"));
        Assert.Equal("""{"ready":true}""", await Client.GetStringAsync("/v2/health/ready"));
        using JsonDocument metadata = JsonDocument.Parse(await Client.GetStringAsync("/v2"));
        Assert.Equal("vae-serve", metadata.RootElement.GetProperty("name").GetString());
        Assert.Contains("binary_tensor_data", metadata.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Model_metadata_gives_every_tensor_with_minus_one_for_the_batch()
    {
        Assert.Equal("""{"name":"reference_encoder","versions":["1"],"platform":"onnxruntime_onnx","inputs":[{"name":"x","datatype":"FP32","shape":[-1,784]}],"outputs":[{"name":"mean","datatype":"FP32","shape":[-1,8]},{"name":"logvar","datatype":"FP32","shape":[-1,8]}]}""",
            await Client.GetStringAsync("/v2/models/reference_encoder"));
        Assert.Equal("""{"name":"reference_decoder","versions":["1"],"platform":"onnxruntime_onnx","inputs":[{"name":"z","datatype":"FP32","shape":[-1,8]}],"outputs":[{"name":"logits","datatype":"FP32","shape":[-1,784]},{"name":"probs","datatype":"FP32","shape":[-1,784]}]}""",
            await Client.GetStringAsync("/v2/models/reference_decoder/versions/1"));
        Assert.Equal("""{"name":"reference_decoder","ready":true}""", await Client.GetStringAsync("/v2/models/reference_decoder/ready"));
        Assert.Equal("""{"name":"reference_encoder","ready":true}""", await Client.GetStringAsync("/v2/models/reference_encoder/versions/1/ready"));
        Assert.Equal("""[{"name":"reference_decoder","version":"1","state":"READY"},{"name":"reference_encoder","version":"1","state":"READY"}]""",
            await (await Client.PostAsync("/v2/repository/index", null)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Infer_with_json_tensors_equals_the_library_for_every_row()
    {
        float[] x = TestRows.Make(3);
        using HttpResponseMessage response = await server.PostJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", x, 3));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var outputs = Infer.Outputs(text);
        var (mean, logvar) = model.Encode(x);
        Assert.Equal([3, 8], outputs["mean"].Shape);
        Assert.Equal(mean, outputs["mean"].Data);     // the same graph on the same ONNX Runtime: bit for bit, through JSON's shortest round-trip floats
        Assert.Equal(logvar, outputs["logvar"].Data);
        using JsonDocument json = JsonDocument.Parse(text);
        Assert.Equal("reference_encoder", json.RootElement.GetProperty("model_name").GetString());
        Assert.Equal("1", json.RootElement.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Infer_takes_nested_data_echoes_the_id_and_returns_only_the_outputs_asked_for()
    {
        float[] z = [0.5f, -1, 0, 2, 1, 0.25f, -0.5f, 3, 0, 0, 0, 0, 0, 0, 0, 0];
        var request = new JsonObject
        {
            ["id"] = "request-7",
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "z", ["shape"] = new JsonArray(2, 8), ["datatype"] = "FP32",
                ["data"] = new JsonArray(new JsonArray(z[..8].Select(v => (JsonNode)v).ToArray()), new JsonArray(z[8..].Select(v => (JsonNode)v).ToArray())),
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "probs" }),
        };
        using HttpResponseMessage response = await server.PostJsonAsync("/v2/models/reference_decoder/infer", request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var outputs = Infer.Outputs(text);
        Assert.Equal(["probs"], outputs.Keys);
        Assert.Equal([2, 784], outputs["probs"].Shape);
        Assert.Equal(model.Decode(z), outputs["probs"].Data);
        Assert.Equal("request-7", JsonDocument.Parse(text).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Binary_tensors_in_and_out_carry_the_same_values_as_json()
    {
        float[] x = TestRows.Make(4, first: 10);
        using HttpResponseMessage response = await Client.PostAsync("/v2/models/reference_encoder/infer", Infer.Binary("x", x, 4));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        var outputs = await Infer.BinaryOutputsAsync(response);
        var (mean, logvar) = model.Encode(x);
        Assert.Equal(mean, outputs["mean"].Data);
        Assert.Equal(logvar, outputs["logvar"].Data);
        Assert.Equal([4, 8], outputs["logvar"].Shape);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[1""", "not valid JSON")]
    [InlineData("""[1,2]""", "is a JSON array; expected an object")]
    [InlineData("""{"inputs":[]}""", "input 'x' is missing; reference_encoder takes 'x' FP32 [-1,784]")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP64","data":[]}]}""", "input 'x' has datatype FP64; the model takes FP32")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,783],"datatype":"FP32","data":[]}]}""", "input 'x' has shape [1,783]; the model takes [batch,784]")]
    [InlineData("""{"inputs":[{"name":"x","shape":[784],"datatype":"FP32","data":[]}]}""", "input 'x' has shape [784]; the model takes [batch,784]")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[1,2,3]}]}""", "input 'x' holds 3 values; its shape [1,784] needs 784")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":["a"]}]}""", "input 'x' holds a JSON string at flat index 0; expected numbers")]
    [InlineData("""{"inputs":[{"name":"image","shape":[1,784],"datatype":"FP32","data":[]}]}""", "input 'image' is not an input of reference_encoder")]
    [InlineData("""{"inputs":[{"name":"x","shape":[51,784],"datatype":"FP32","data":[]}]}""", "input 'x' has 51 rows; a request carries at most 50 (Serve:MaxRowsPerRequest)")]
    [InlineData("""{"inputs":[{"name":"x","shape":[0,784],"datatype":"FP32","data":[]}]}""", "a batch of 0 rows")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[1e39]}]}""", "input 'x' holds")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[]}],"outputs":[{"name":"z"}]}""", "output 'z' is not an output of reference_encoder; it gives 'mean' FP32 [-1,8], 'logvar' FP32 [-1,8]")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":[]}],"parameters":{"timeout":-1}}""", "parameters.timeout is -1")]
    public async Task Malformed_or_misfitting_requests_are_400_with_the_expected_and_the_found(string body, string expected)
    {
        using HttpResponseMessage response = await Client.PostAsync("/v2/models/reference_encoder/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Contains(expected, await TestServers.ErrorAsync(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Non_finite_binary_values_are_400_naming_the_index()
    {
        float[] x = TestRows.Make(1);
        x[17] = float.NaN;
        using HttpResponseMessage response = await Client.PostAsync("/v2/models/reference_encoder/infer", Infer.Binary("x", x, 1));
        Assert.Equal("input 'x' holds NaN at flat index 17; expected finite values (the server runs with Serve:AllowNonFinite false).",
            await TestServers.ErrorAsync(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Binary_sizes_that_disagree_with_the_body_are_400()
    {
        HttpContent content = Infer.Binary("x", TestRows.Make(1), 1);
        byte[] body = await content.ReadAsByteArrayAsync();
        var truncated = new ByteArrayContent(body[..^4]);
        truncated.Headers.Add("Inference-Header-Content-Length", content.Headers.GetValues("Inference-Header-Content-Length"));
        using HttpResponseMessage response = await Client.PostAsync("/v2/models/reference_encoder/infer", truncated);
        Assert.Contains("input 'x' needs 3136 bytes of binary data but only 3132 remain", await TestServers.ErrorAsync(response, HttpStatusCode.BadRequest));
        var badHeader = new ByteArrayContent(body);
        badHeader.Headers.Add("Inference-Header-Content-Length", "many");
        using HttpResponseMessage second = await Client.PostAsync("/v2/models/reference_encoder/infer", badHeader);
        Assert.Contains("Inference-Header-Content-Length is 'many'", await TestServers.ErrorAsync(second, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Unknown_models_versions_and_paths_are_404()
    {
        Assert.Contains("unknown model 'nope'; this server has reference_decoder, reference_encoder",
            await TestServers.ErrorAsync(await Client.GetAsync("/v2/models/nope"), HttpStatusCode.NotFound));
        await TestServers.ErrorAsync(await Client.GetAsync("/v2/models/nope/ready"), HttpStatusCode.NotFound);
        await TestServers.ErrorAsync(await server.PostJsonAsync("/v2/models/nope/infer", Infer.Json("x", TestRows.Make(1), 1)), HttpStatusCode.NotFound);
        Assert.Equal("model 'reference_encoder' has no version '2'; it has version 1 only.",
            await TestServers.ErrorAsync(await Client.GetAsync("/v2/models/reference_encoder/versions/2"), HttpStatusCode.NotFound));
        Assert.Contains("no endpoint GET /v3", await TestServers.ErrorAsync(await Client.GetAsync("/v3"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        float[] x = TestRows.Make(50);
        using HttpResponseMessage response = await server.PostJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", x, 50)); // about 400 kB of JSON
        Assert.Contains("200,000 bytes (Serve:MaxRequestBodyBytes)", await TestServers.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge));
        using HttpResponseMessage binary = await Client.PostAsync("/v2/models/reference_encoder/infer", Infer.Binary("x", x, 50)); // 157 kB of binary data fits
        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
    }

    [Fact]
    public async Task Every_answer_is_counted_in_the_metrics_text()
    {
        using (await server.PostJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", TestRows.Make(2), 2))) { }
        using (await Client.PostAsync("/v2/models/reference_encoder/infer", new StringContent("{", Encoding.UTF8, "application/json"))) { }
        string metrics = await Client.GetStringAsync("/metrics");
        Assert.Matches("""vae_serve_requests_total\{model="reference_encoder",endpoint="infer"\} [2-9]""", metrics);
        Assert.Matches("""vae_serve_request_errors_total\{model="reference_encoder",endpoint="infer",code="400"\} [1-9]""", metrics);
        Assert.Matches("""vae_serve_request_duration_seconds_count\{model="reference_encoder",endpoint="infer"\} [2-9]""", metrics);
        Assert.Matches("""vae_serve_batch_rows_sum\{model="reference_encoder"\} [2-9]""", metrics);
        Assert.Contains("vae_serve_queue_duration_seconds_bucket{model=\"reference_encoder\",le=", metrics);
        Assert.Contains("vae_serve_inference_duration_seconds_count{model=\"reference_encoder\"}", metrics);
        Assert.Contains("vae_serve_model_ready{model=\"reference_decoder\"} 1", metrics);
        Assert.Contains("process_working_set_bytes", metrics);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_and_body()
    {
        using JsonDocument document = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json"));
        JsonElement paths = document.RootElement.GetProperty("paths");
        foreach (string path in new[] { "/v2/health/live", "/v2/health/ready", "/v2", "/v2/models/{name}", "/v2/models/{name}/ready", "/v2/models/{name}/infer",
                     "/vae/models/{name}/generate", "/vae/models/{name}/reconstruct", "/vae/models/{name}/denoise", "/vae/models/{name}/impute",
                     "/vae/models/{name}/interpolate", "/vae/models/{name}/score" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        JsonElement schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.Contains("The mask", schemas.GetProperty("ImputeRequest").GetProperty("properties").GetProperty("observed").GetProperty("description").GetString());
        Assert.True(schemas.GetProperty("InferRequestDocument").GetProperty("properties").TryGetProperty("inputs", out _));
    }
}
