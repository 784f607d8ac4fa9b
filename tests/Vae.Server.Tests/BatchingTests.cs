using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Vae.Inference;
using Vae.Server.Batching;
using Vae.Server.Hosting;
using Vae.Server.Models;
using Vae.Server.Observability;
using Vae.Server.Oip;

namespace Vae.Server.Tests;

/// <summary>
/// Dynamic batching: concurrent callers coalesced into one run each get exactly their own rows; batch size, queue delay,
/// deadlines, queue limit, cancellation, the off switch and draining at shutdown. The rules are checked on a graph whose
/// runs a test can hold; the coalescing end to end on the reference model.
/// </summary>
public sealed class BatchingTests
{
    /// <summary>y = 2x and s = Σx per row of two values; records the rows of every run; each run waits for the gate.</summary>
    private sealed class HeldGraph : IGraph
    {
        public readonly ManualResetEventSlim Gate = new(true);
        public readonly List<int> Runs = [];
        public readonly SemaphoreSlim Started = new(0);

        public string Name => "held";
        public IReadOnlyList<TensorSpec> Inputs { get; } = [new("x", TensorSpec.Fp32, [2])];
        public IReadOnlyList<TensorSpec> Outputs { get; } = [new("y", TensorSpec.Fp32, [2]), new("s", TensorSpec.Fp32, [1])];

        public float[][] Run(float[][] inputs, int rows)
        {
            lock (Runs) Runs.Add(rows);
            Started.Release();
            Assert.True(Gate.Wait(TimeSpan.FromSeconds(30)), "the test never opened the gate");
            float[] x = inputs[0], y = x.Select(v => 2 * v).ToArray(), s = new float[rows];
            for (int r = 0; r < rows; r++) s[r] = x[2 * r] + x[2 * r + 1];
            return [y, s];
        }
    }

    private static float[][] Rows(int first, int count) => [Enumerable.Range(2 * first, 2 * count).Select(v => (float)v).ToArray()];

    private static void AssertOwnRows(GraphResult result, int first, int count)
    {
        Assert.Equal(count, result.Rows);
        Assert.Equal(Enumerable.Range(2 * first, 2 * count).Select(v => 2f * v), result.Outputs[0].ToArray());
        Assert.Equal(Enumerable.Range(first, count).Select(r => (float)(4 * r + 1)), result.Outputs[1].ToArray());
    }

    private static async Task StartedAsync(HeldGraph graph) => Assert.True(await graph.Started.WaitAsync(TimeSpan.FromSeconds(30)), "no run started");

    [Fact]
    public async Task Requests_queued_behind_a_run_are_coalesced_up_to_the_batch_size_and_each_gets_its_own_rows()
    {
        var graph = new HeldGraph();
        graph.Gate.Reset();
        using var served = new ServedGraph(graph, new BatchingOptions { MaxBatchSize = 4 }, new ServerMetrics());
        Task<GraphResult> first = served.InferAsync(Rows(0, 1), 1, 0, default);
        await StartedAsync(graph);
        var singles = Enumerable.Range(1, 11).Select(i => served.InferAsync(Rows(i, 1), 1, 0, default)).ToArray();
        Task<GraphResult> pair = served.InferAsync(Rows(12, 2), 2, 0, default);       // 3 + 2 > 4: waits for the next batch
        Task<GraphResult> last = served.InferAsync(Rows(14, 1), 1, 0, default);
        graph.Gate.Set();
        AssertOwnRows(await first, 0, 1);
        for (int i = 0; i < singles.Length; i++) AssertOwnRows(await singles[i], i + 1, 1);
        AssertOwnRows(await pair, 12, 2);
        AssertOwnRows(await last, 14, 1);
        Assert.Equal([1, 4, 4, 3, 3], graph.Runs); // 11 single rows: 4, 4, 3 (the pair does not fit), then the pair and the last single
    }

    [Fact]
    public async Task The_queue_delay_gathers_late_arrivals_but_ends_at_the_earliest_deadline()
    {
        var graph = new HeldGraph();
        using var served = new ServedGraph(graph, new BatchingOptions { MaxBatchSize = 8, MaxQueueDelayMicroseconds = 5_000_000 }, new ServerMetrics());
        var clock = Stopwatch.StartNew();
        Task<GraphResult> patient = served.InferAsync(Rows(0, 1), 1, 0, default);
        await Task.Delay(50);
        Task<GraphResult> hurried = served.InferAsync(Rows(1, 2), 2, timeoutMicroseconds: 200_000, default);
        AssertOwnRows(await hurried, 1, 2);
        AssertOwnRows(await patient, 0, 1);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the batch waited {clock.Elapsed.TotalSeconds:0.00} s: past the 0.2 s deadline towards the 5 s delay");
        Assert.Equal([3], graph.Runs);
    }

    [Fact]
    public async Task A_request_still_queued_at_its_deadline_is_503_then_and_never_runs()
    {
        var graph = new HeldGraph();
        graph.Gate.Reset();
        using var served = new ServedGraph(graph, new BatchingOptions(), new ServerMetrics());
        Task<GraphResult> running = served.InferAsync(Rows(0, 1), 1, 0, default);
        await StartedAsync(graph);
        var clock = Stopwatch.StartNew();
        var late = await Assert.ThrowsAsync<ProtocolException>(() => served.InferAsync(Rows(1, 3), 3, timeoutMicroseconds: 100_000, default));
        Assert.Equal(503, late.StatusCode);
        Assert.Contains("its deadline passed", late.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.09, 10);
        graph.Gate.Set();
        AssertOwnRows(await running, 0, 1);
        AssertOwnRows(await served.InferAsync(Rows(5, 1), 1, 0, default), 5, 1);
        Assert.Equal([1, 1], graph.Runs); // the late request's 3 rows never ran
    }

    [Fact]
    public async Task A_full_queue_is_503_at_once_and_a_cancelled_request_is_skipped()
    {
        var graph = new HeldGraph();
        graph.Gate.Reset();
        using var served = new ServedGraph(graph, new BatchingOptions { MaxQueueSize = 2 }, new ServerMetrics());
        Task<GraphResult> running = served.InferAsync(Rows(0, 1), 1, 0, default);
        await StartedAsync(graph);
        using var cancel = new CancellationTokenSource();
        Task<GraphResult> cancelled = served.InferAsync(Rows(1, 1), 1, 0, cancel.Token);
        Task<GraphResult> waiting = served.InferAsync(Rows(2, 1), 1, 0, default);
        var full = await Assert.ThrowsAsync<ProtocolException>(() => served.InferAsync(Rows(3, 1), 1, 0, default));
        Assert.Equal(503, full.StatusCode);
        Assert.Contains("2 requests are already queued (MaxQueueSize)", full.Message);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        graph.Gate.Set();
        AssertOwnRows(await running, 0, 1);
        AssertOwnRows(await waiting, 2, 1);
        Assert.Equal([1, 1], graph.Runs);
    }

    [Fact]
    public async Task With_batching_off_every_request_runs_alone()
    {
        var graph = new HeldGraph();
        using var served = new ServedGraph(graph, new BatchingOptions { Enabled = false }, new ServerMetrics());
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => served.InferAsync(Rows(3 * i, 3), 3, 0, default))));
        for (int i = 0; i < results.Length; i++) AssertOwnRows(results[i], 3 * i, 3);
        Assert.Equal(Enumerable.Repeat(3, 6), graph.Runs);
    }

    [Fact]
    public async Task Disposing_lets_the_queued_requests_finish_first()
    {
        var graph = new HeldGraph();
        graph.Gate.Reset();
        var served = new ServedGraph(graph, new BatchingOptions(), new ServerMetrics());
        Task<GraphResult> running = served.InferAsync(Rows(0, 1), 1, 0, default);
        await StartedAsync(graph);
        Task<GraphResult> queued = served.InferAsync(Rows(1, 2), 2, 0, default);
        Task disposing = Task.Run(served.Dispose);
        await Task.Delay(50);
        Assert.False(disposing.IsCompleted);
        graph.Gate.Set();
        await disposing;
        AssertOwnRows(await running, 0, 1);
        AssertOwnRows(await queued, 1, 2);
        var refused = await Assert.ThrowsAsync<ProtocolException>(() => served.InferAsync(Rows(3, 1), 1, 0, default));
        Assert.Equal(503, refused.StatusCode);
    }

    [Fact]
    public async Task Concurrent_http_requests_to_the_reference_encoder_are_coalesced_and_each_gets_its_own_codes()
    {
        await using TestServers server = await TestServers.StartAsync(new()
        {
            ["Serve:ModelBatching:reference_encoder:MaxQueueDelayMicroseconds"] = "50000",
            ["Serve:ModelBatching:reference_encoder:MaxBatchSize"] = "32",
        });
        using VaeModel model = VaeModel.Load(TestServers.Reference);
        const int callers = 40;
        int[] rows = Enumerable.Range(0, callers).Select(i => 1 + i % 3).ToArray();
        int[] first = rows.Select((_, i) => rows.Take(i).Sum()).ToArray();
        float[] all = TestRows.Make(rows.Sum());
        var answers = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            float[] x = all.AsSpan(first[i] * TestRows.Size, rows[i] * TestRows.Size).ToArray();
            using HttpResponseMessage response = await server.PostJsonAsync("/v2/models/reference_encoder/infer", Infer.Json("x", x, rows[i]));
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            return Infer.Outputs(text);
        })));
        var (mean, logvar) = model.Encode(all);
        for (int i = 0; i < callers; i++)
        {
            Assert.Equal([rows[i], 8], answers[i]["mean"].Shape);
            float[] expectedMean = mean.AsSpan(first[i] * 8, rows[i] * 8).ToArray(), expectedLogvar = logvar.AsSpan(first[i] * 8, rows[i] * 8).ToArray();
            Assert.Equal(expectedMean, answers[i]["mean"].Data, (a, b) => MathF.Abs(a - b) <= 1e-5f);
            Assert.Equal(expectedLogvar, answers[i]["logvar"].Data, (a, b) => MathF.Abs(a - b) <= 1e-5f);
        }
        string metrics = await server.Client.GetStringAsync("/metrics");
        int runs = int.Parse(Regex.Match(metrics, """vae_serve_batch_rows_count\{model="reference_encoder"\} (\d+)""").Groups[1].Value);
        Assert.True(runs < callers, $"{callers} concurrent requests took {runs} runs: none were coalesced");
        Assert.Equal(rows.Sum().ToString(), Regex.Match(metrics, """vae_serve_batch_rows_sum\{model="reference_encoder"\} (\d+)""").Groups[1].Value);
        Assert.Contains("vae_serve_queue_requests{model=\"reference_encoder\"} 0", metrics);
    }
}
