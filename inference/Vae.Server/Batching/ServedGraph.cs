using System.Diagnostics;
using Vae.Server.Hosting;
using Vae.Server.Models;
using Vae.Server.Observability;
using Vae.Server.Oip;

namespace Vae.Server.Batching;

/// <summary>
/// A graph as the infer endpoint calls it: through its <see cref="DynamicBatcher"/> when batching is on, else directly on
/// the request's thread. Owns the batcher, not the graph (a <see cref="ServedPair"/> owns it); dispose it before the pair.
/// </summary>
public sealed class ServedGraph : IDisposable
{
    private readonly DynamicBatcher? batcher;
    private readonly ServerMetrics metrics;

    public ServedGraph(IGraph model, BatchingOptions batching, ServerMetrics metrics)
    {
        Model = model;
        Batching = batching;
        this.metrics = metrics;
        if (batching.Enabled) batcher = new DynamicBatcher(model, batching, metrics);
    }

    public IGraph Model { get; }

    public BatchingOptions Batching { get; }

    /// <summary>
    /// Runs <paramref name="rows"/> rows (inputs as <see cref="GraphModel.Run"/> takes them) and returns exactly those rows of
    /// every output. A request that waits in the queue longer than <paramref name="timeoutMicroseconds"/> (0: the model's
    /// <see cref="BatchingOptions.DefaultTimeoutMicroseconds"/>, and 0 there: no deadline) is answered 503 at its deadline.
    /// </summary>
    /// <exception cref="ProtocolException">503: queue full, deadline passed, or the server is stopping.</exception>
    public async Task<GraphResult> InferAsync(float[][] inputs, int rows, long timeoutMicroseconds, CancellationToken cancellation)
    {
        if (batcher is null)
        {
            long start = Stopwatch.GetTimestamp();
            float[][] outputs = Model.Run(inputs, rows);
            metrics.Run(Model.Name, rows, Stopwatch.GetElapsedTime(start).TotalSeconds);
            return new GraphResult(outputs.Select(o => new ArraySegment<float>(o)).ToArray(), rows);
        }
        long timeout = timeoutMicroseconds > 0 ? timeoutMicroseconds : Batching.DefaultTimeoutMicroseconds;
        long deadline = timeout > 0 ? Stopwatch.GetTimestamp() + (long)(timeout * (Stopwatch.Frequency / 1e6)) : long.MaxValue;
        PendingRequest pending = batcher.Enqueue(inputs, rows, deadline);
        try
        {
            return timeout > 0
                ? await pending.Result.WaitAsync(TimeSpan.FromMicroseconds(timeout), cancellation).ConfigureAwait(false)
                : await pending.Result.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException) when (pending.TryAbandon())
        {
            throw DynamicBatcher.DeadlinePassed(Model.Name, pending);
        }
        catch (TimeoutException)
        {
            return await pending.Result.ConfigureAwait(false); // a batch took it just in time: it is running
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            pending.TryAbandon();
            throw;
        }
    }

    /// <summary>Drains and stops the batcher.</summary>
    public void Dispose() => batcher?.Dispose();
}
