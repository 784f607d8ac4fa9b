using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Inference;
using Vae.Server.Operations;

namespace Vae.Server.Tests;

/// <summary>
/// The server on the other model families, each a small committed folder made by <c>make reference-model</c>: a
/// conditional VAE (models/reference-cvae: its graphs take the one-hot class <c>y</c>, its operations a class per row) and
/// a hierarchical VAE with a VampPrior (models/reference-hvae: generation and scores go through its layer graphs). Every
/// answer equals the library's call on the same folder.
/// </summary>
public sealed class ModelFamilyTests
{
    private static readonly string Conditional = Path.Combine(RepoPaths.Root, "models", "reference-cvae");
    private static readonly string Hierarchical = Path.Combine(RepoPaths.Root, "models", "reference-hvae");
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static Task<TestServers> Serve(string folder) => TestServers.StartAsync(new() { ["Serve:Models"] = folder });

    private static async Task<T> PostAsync<T>(TestServers server, string path, object body)
    {
        using HttpResponseMessage response = await server.PostJsonAsync(path, body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, Snake)!;
    }

    private static float[] Flat(RowsResponse rows) => rows.Rows.SelectMany(r => r).ToArray();

    [Fact]
    public async Task A_conditional_encoder_takes_x_and_the_one_hot_class_and_equals_the_library()
    {
        await using TestServers server = await Serve(Conditional);
        using var model = VaeModel.Load(Conditional);
        Assert.Equal(10, model.Classes);

        using JsonDocument metadata = JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/reference-cvae_encoder"));
        Assert.Equal(["x", "y"], metadata.RootElement.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal([-1, 10], metadata.RootElement.GetProperty("inputs")[1].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));

        float[] x = TestRows.Make(3);
        int[] labels = [7, 0, 3];
        float[] oneHot = labels.SelectMany(c => Enumerable.Range(0, 10).Select(k => k == c ? 1f : 0f)).ToArray();
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(
                new JsonObject { ["name"] = "x", ["shape"] = new JsonArray(3, 784), ["datatype"] = "FP32", ["data"] = new JsonArray(x.Select(v => (JsonNode)v).ToArray()) },
                new JsonObject { ["name"] = "y", ["shape"] = new JsonArray(3, 10), ["datatype"] = "FP32", ["data"] = new JsonArray(oneHot.Select(v => (JsonNode)v).ToArray()) }),
        };
        using HttpResponseMessage response = await server.PostJsonAsync("/v2/models/reference-cvae_encoder/infer", request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var outputs = Infer.Outputs(text);
        var (mean, logvar) = model.Encode(x, labels);
        Assert.Equal(mean, outputs["mean"].Data);
        Assert.Equal(logvar, outputs["logvar"].Data);
        // the class matters: the same pixels under other classes give other codes
        Assert.NotEqual(mean, model.Encode(x, [1, 2, 4]).Mean);

        // without y the graph cannot run: a 400 naming the missing input, not a 5xx
        using HttpResponseMessage missing = await server.PostJsonAsync("/v2/models/reference-cvae_encoder/infer", Infer.Json("x", x, 3));
        Assert.Contains("y", await TestServers.ErrorAsync(missing, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Conditional_operations_use_each_rows_class_and_refuse_a_class_out_of_range()
    {
        await using TestServers server = await Serve(Conditional);
        using var model = VaeModel.Load(Conditional);

        RowsResponse drawn = await PostAsync<RowsResponse>(server, "/vae/models/reference-cvae/generate", new { count = 4, seed = 5, @class = 6 });
        Assert.Equal(model.Generate([6, 6, 6, 6], seed: 5), Flat(drawn));
        RowsResponse cycled = await PostAsync<RowsResponse>(server, "/vae/models/reference-cvae/generate", new { count = 3, seed = 5 });
        Assert.Equal(model.Generate([0, 1, 2], seed: 5), Flat(cycled));

        float[] x = TestRows.Make(2);
        int[] labels = [9, 4];
        RowsResponse reconstructed = await PostAsync<RowsResponse>(server, "/vae/models/reference-cvae/reconstruct", new { x = TestRows.Split(x), labels });
        Assert.Equal(model.Reconstruct(x, labels), Flat(reconstructed));
        ScoreResponse scored = await PostAsync<ScoreResponse>(server, "/vae/models/reference-cvae/score", new { x = TestRows.Split(x), labels, samples = 4, seed = 2 });
        Assert.Equal(model.ScoreAnomalies(x, samples: 4, seed: 2, labels: labels).Select(s => s.NegativeLogLikelihood), scored.Scores.Select(s => s.Nll));

        string outOfRange = await TestServers.ErrorAsync(await server.PostJsonAsync("/vae/models/reference-cvae/generate", new { count = 1, @class = 12 }), HttpStatusCode.BadRequest);
        Assert.Contains("12", outOfRange);
        string noLabels = await TestServers.ErrorAsync(await server.PostJsonAsync("/vae/models/reference-cvae/reconstruct", new { x = TestRows.Split(x) }), HttpStatusCode.BadRequest);
        Assert.Contains("label", noLabels, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_hierarchical_model_samples_its_learned_prior_and_scores_through_its_layers_as_the_library_does()
    {
        await using TestServers server = await Serve(Hierarchical);
        using var model = VaeModel.Load(Hierarchical);
        Assert.NotNull(model.Hierarchy);
        Assert.True(model.Hierarchy!.HasVampPrior);

        RowsResponse drawn = await PostAsync<RowsResponse>(server, "/vae/models/reference-hvae/generate", new { count = 3, seed = 11, temperature = 0.8 });
        Assert.Equal(model.Generate(3, seed: 11, temperature: 0.8f), Flat(drawn));

        float[] x = TestRows.Make(2);
        ScoreResponse scored = await PostAsync<ScoreResponse>(server, "/vae/models/reference-hvae/score", new { x = TestRows.Split(x), samples = 8, seed = 3 });
        AnomalyScore[] expected = model.ScoreAnomalies(x, samples: 8, seed: 3);
        Assert.Equal(expected.Select(s => s.NegativeLogLikelihood), scored.Scores.Select(s => s.Nll));
        Assert.Equal(expected.Select(s => s.NegativeElbo), scored.Scores.Select(s => s.NegElbo));

        // the encoder graph is the top layer along the mean path: what the library's Encode (and the ML.NET embedding) gives
        using HttpResponseMessage response = await server.PostJsonAsync("/v2/models/reference-hvae_encoder/infer", Infer.Json("x", x, 2));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var outputs = Infer.Outputs(text);
        Assert.Equal([2, model.LatentSize], outputs["mean"].Shape);
        Assert.Equal(model.Encode(x).Mean, outputs["mean"].Data);
    }
}
