using System.Diagnostics;
using System.Net;

namespace Vae.ServeLoad;

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(bool Batching, int Concurrency, double Seconds, long Requests, long Errors, double RequestsPerSecond, double LatencyUsP50, double LatencyUsP99)
{
    /// <summary>Mean rows per ONNX Runtime run on the server (1 without batching).</summary>
    public double RowsPerRun { get; init; }

    /// <summary>ONNX Runtime time per row on the server, in µs.</summary>
    public double RunUsPerRow { get; init; }
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> callers each send one request, wait for its answer, and send the next, for a
/// fixed time after one second of warm-up; every answer that is not 200 (or a failed connection) is an error.
/// </summary>
internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync(Uri server, string path, byte[] body, bool batching, int concurrency, double seconds, Action? everySecond = null)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        await Loop(client, path, body, concurrency, TimeSpan.FromSeconds(1), null);
        var latencies = new List<double>[concurrency];
        var errors = new long[concurrency];
        var clock = Stopwatch.StartNew();
        using var ticker = everySecond is null ? null : new Timer(_ => everySecond(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        await Loop(client, path, body, concurrency, TimeSpan.FromSeconds(seconds), (caller, microseconds, ok) =>
        {
            (latencies[caller] ??= []).Add(microseconds);
            if (!ok) errors[caller]++;
        });
        double elapsed = clock.Elapsed.TotalSeconds;
        double[] all = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        return new LoadResult(batching, concurrency, Math.Round(elapsed, 2), all.Length, errors.Sum(), Math.Round(all.Length / elapsed, 1),
            Math.Round(Percentile(all, 0.50), 1), Math.Round(Percentile(all, 0.99), 1));
    }

    private static Task Loop(HttpClient client, string path, byte[] body, int concurrency, TimeSpan duration, Action<int, double, bool>? record)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(caller => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                long start = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using HttpResponseMessage response = await client.PostAsync(path, content);
                    await response.Content.ReadAsByteArrayAsync();
                    ok = response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException) { ok = false; }
                catch (TaskCanceledException) { ok = false; }
                record?.Invoke(caller, Stopwatch.GetElapsedTime(start).TotalMicroseconds, ok);
            }
        })));
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * sorted.Length))];
}
