using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vae.Inference;
using Vae.Server.Operations;

namespace Vae.Server.Tests;

/// <summary>The VAE operations on a TestServer serving models/reference: each equals the library call, PNG answers, and the 400s.</summary>
public sealed class VaeOperationTests : IAsyncLifetime
{
    private TestServers server = null!;
    private VaeModel model = null!;

    public async Task InitializeAsync()
    {
        server = await TestServers.StartAsync(new() { ["Serve:MaxRowsPerRequest"] = "20", ["Serve:MaxScoreDraws"] = "100", ["Serve:MaxIterations"] = "5" });
        model = VaeModel.Load(TestServers.Reference);
    }

    public async Task DisposeAsync()
    {
        model.Dispose();
        await server.DisposeAsync();
    }

    private async Task<T> PostAsync<T>(string operation, object body)
    {
        using HttpResponseMessage response = await server.PostJsonAsync($"/vae/models/reference/{operation}", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<T>(text, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
    }

    private static float[] Flat(RowsResponse rows) => rows.Rows.SelectMany(r => r).ToArray();

    [Fact]
    public async Task Generate_is_the_library_sample_for_the_same_seed()
    {
        RowsResponse rows = await PostAsync<RowsResponse>("generate", new { count = 3, seed = 7, temperature = 0.5 });
        Assert.Equal("reference", rows.Model);
        Assert.Equal([784], rows.SampleShape);
        Assert.Equal(3, rows.Rows.Length);
        Assert.Equal(model.Generate(3, seed: 7, temperature: 0.5f), Flat(rows));
    }

    [Fact]
    public async Task Reconstruct_denoise_impute_interpolate_and_score_equal_the_library()
    {
        float[] x = TestRows.Make(2);
        float[][] rows = TestRows.Split(x);
        Assert.Equal(model.Reconstruct(x), Flat(await PostAsync<RowsResponse>("reconstruct", new { x = rows })));
        Assert.Equal(model.Denoise(x, iterations: 3), Flat(await PostAsync<RowsResponse>("denoise", new { x = rows, iterations = 3 })));

        bool[] observed = x.Select((_, i) => i % 784 < 392).ToArray(); // the top half of each image is known
        float?[][] withGaps = rows.Select(r => r.Select((v, i) => i < 392 ? v : (float?)null).ToArray()).ToArray();
        float[] imputed = model.Impute(x, observed, iterations: 4);
        Assert.Equal(imputed, Flat(await PostAsync<RowsResponse>("impute", new { x = withGaps, iterations = 4 })));
        bool[][] mask = observed.Chunk(784).ToArray();
        Assert.Equal(imputed, Flat(await PostAsync<RowsResponse>("impute", new { x = rows, observed = mask, iterations = 4 })));

        float[] from = x[..784], to = x[784..];
        Assert.Equal(model.Interpolate(from, to, 5, Interpolation.Spherical),
            Flat(await PostAsync<RowsResponse>("interpolate", new { from = new[] { from }, to = new[] { to }, steps = 5, kind = "spherical" })));

        ScoreResponse scores = await PostAsync<ScoreResponse>("score", new { x = rows, samples = 4, seed = 3 });
        AnomalyScore[] expected = model.ScoreAnomalies(x, samples: 4, seed: 3);
        Assert.Equal(expected.Select(s => new RowScore(s.NegativeLogLikelihood, s.NegativeElbo, s.ReconstructionNll, s.Kl, s.SquaredError)), scores.Scores);
    }

    [Fact]
    public async Task Png_answers_are_the_rows_as_a_grid_of_images()
    {
        using HttpResponseMessage response = await server.PostJsonAsync("/vae/models/reference/generate", new { count = 3, seed = 2, format = "png", columns = 2 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        var (width, height, channels, pixels) = PngReader.Read(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((2 * 28 + 2, 2 * 28 + 2, 1), (width, height, channels));
        float[] samples = model.Generate(3, seed: 2);
        for (int n = 0; n < 3; n++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    int top = n / 2 * 30, left = n % 2 * 30;
                    Assert.Equal((byte)Math.Clamp(MathF.Round(samples[n * 784 + y * 28 + x] * 255f), 0, 255), pixels[(top + y) * width + left + x]);
                }
        Assert.Equal(0, pixels[29 * width + 40]); // the gap between grid rows
    }

    [Theory]
    [InlineData("generate", """{"count":0}""", "count is 0; expected 1 or more rows.")]
    [InlineData("generate", """{"count":21}""", "at most 20 rows (Serve:MaxRowsPerRequest)")]
    [InlineData("generate", """{"class":3}""", "model 'reference' is not conditional")]
    [InlineData("generate", """{"temperature":-1}""", "temperature is -1; expected a finite value ≥ 0")]
    [InlineData("generate", """{"format":"gif"}""", "format is 'gif'; expected json or png.")]
    [InlineData("generate", """{"temprature":1}""", "The JSON property 'temprature' could not be mapped")]
    [InlineData("generate", """{"count":"3"}""", "Failed to read parameter")]
    [InlineData("generate", """{"count":""", "Failed to read parameter")]
    [InlineData("reconstruct", """{"x":[[1,2,3]]}""", "x[0] holds 3 values; model 'reference' takes 784 per row (input shape [784], flattened).")]
    [InlineData("reconstruct", """{"x":[]}""", "x is 0; expected 1 or more rows.")]
    [InlineData("reconstruct", """{"x":[null]}""", "x[0] is null; expected 784 values.")]
    [InlineData("denoise", """{"x":[[0]],"iterations":6}""", "iterations is 6; expected 1 to 5 (Serve:MaxIterations).")]
    [InlineData("impute", """{"x":[[0]],"observed":[[true],[false]],"iterations":1}""", "observed has 2 rows; x has 1")]
    [InlineData("interpolate", """{"from":[],"to":[],"steps":1}""", "steps is 1; expected at least 2")]
    [InlineData("interpolate", """{"from":[],"to":[],"kind":"cubic"}""", "kind is 'cubic'; expected linear or spherical.")]
    [InlineData("interpolate", """{"from":[[0]],"to":[],"steps":3}""", "to has 0 rows; from has 1")]
    [InlineData("score", """{"x":[[0]],"samples":0}""", "samples is 0; expected 1 to 100000.")]
    public async Task Bad_requests_are_400_saying_what_was_expected(string operation, string body, string expected)
    {
        using HttpResponseMessage response = await server.Client.PostAsync($"/vae/models/reference/{operation}", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Contains(expected, await TestServers.ErrorAsync(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Limits_on_work_and_picture_size_and_unknown_models_are_refused()
    {
        float[][] rows = TestRows.Split(TestRows.Make(2));
        Assert.Contains("2 rows × 51 samples = 102 decoder draws; a request may ask for at most 100 (Serve:MaxScoreDraws).",
            await TestServers.ErrorAsync(await server.PostJsonAsync("/vae/models/reference/score", new { x = rows, samples = 51 }), HttpStatusCode.BadRequest));
        Assert.Contains("x[0][1] is null but observed[0][1] is true",
            await TestServers.ErrorAsync(await server.PostJsonAsync("/vae/models/reference/impute",
                new { x = new[] { new float?[784] }, iterations = 1, observed = new[] { Enumerable.Repeat(true, 784).ToArray() }.Select(r => { r[0] = false; return r; }).ToArray() }), HttpStatusCode.BadRequest));
        Assert.Contains("unknown model 'mnist'; the VAE operations serve reference",
            await TestServers.ErrorAsync(await server.PostJsonAsync("/vae/models/mnist/generate", new { count = 1 }), HttpStatusCode.NotFound));
    }
}
