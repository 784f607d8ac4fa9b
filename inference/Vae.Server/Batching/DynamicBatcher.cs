using System.Collections.Concurrent;
using System.Diagnostics;
using Vae.Server.Hosting;
using Vae.Server.Models;
using Vae.Server.Observability;
using Vae.Server.Oip;

namespace Vae.Server.Batching;

/// <summary>
/// Triton's dynamic batcher for one graph: requests are queued; a worker takes the first, waits at most
/// <see cref="BatchingOptions.MaxQueueDelayMicroseconds"/> (never past a request's deadline) for more until
/// <see cref="BatchingOptions.MaxBatchSize"/> rows, runs them as one ONNX Runtime call, and hands each caller exactly its
/// own rows. <see cref="BatchingOptions.Instances"/> workers run batches side by side. Dispose it after the requests in
/// flight have finished: it lets its workers drain the queue, then stops them.
/// </summary>
internal sealed class DynamicBatcher : IDisposable
{
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    private readonly IGraph graph;
    private readonly BatchingOptions options;
    private readonly ServerMetrics metrics;
    private readonly ConcurrentQueue<PendingRequest> queue = new();
    private readonly SemaphoreSlim available = new(0);
    private readonly Thread[] workers;
    private readonly long delay;
    private int waiting;        // in the queue (MaxQueueSize)
    private int waitingForRun;  // queued, or gathered into the batch being formed (the queue metric)
    private volatile bool stopping;

    public DynamicBatcher(IGraph graph, BatchingOptions options, ServerMetrics metrics)
    {
        this.graph = graph;
        this.options = options;
        this.metrics = metrics;
        delay = options.MaxQueueDelayMicroseconds * Stopwatch.Frequency / 1_000_000;
        workers = new Thread[options.Instances];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Thread(Work) { IsBackground = true, Name = $"vae-serve batcher {graph.Name} #{i}" };
            workers[i].Start();
        }
    }

    /// <summary>Queues a request; <paramref name="deadline"/> as <see cref="PendingRequest.Deadline"/>.</summary>
    /// <exception cref="ProtocolException">503: the queue is full or the server is stopping.</exception>
    public PendingRequest Enqueue(float[][] inputs, int rows, long deadline)
    {
        if (stopping) throw ProtocolException.Unavailable($"{graph.Name}: the server is shutting down.");
        int length = Interlocked.Increment(ref waiting);
        if (options.MaxQueueSize > 0 && length > options.MaxQueueSize)
        {
            Interlocked.Decrement(ref waiting);
            throw ProtocolException.Unavailable($"{graph.Name}: {options.MaxQueueSize} requests are already queued (MaxQueueSize); retry later.");
        }
        var pending = new PendingRequest(inputs, rows, deadline);
        queue.Enqueue(pending);
        Waited(-1);
        available.Release();
        return pending;
    }

    private void Work()
    {
        var batch = new List<PendingRequest>();
        PendingRequest? carried = null;
        while (true)
        {
            if (stopping && carried is null && queue.IsEmpty) return; // a timed Take may have used this worker's wake-up permit
            PendingRequest? first = carried; // already admitted: it did not fit the last batch
            carried = null;
            if (first is null)
            {
                first = Take(long.MaxValue);
                if (first is null) return;
                if (!Admit(first)) continue;
            }
            batch.Add(first);
            int rows = first.Rows;
            long deadline = first.Deadline, joinUntil = first.QueuedAt + delay;
            while (rows < options.MaxBatchSize)
            {
                PendingRequest? next = Take(Math.Min(joinUntil, deadline));
                if (next is null) break;
                if (!Admit(next)) continue;
                if (rows + next.Rows > options.MaxBatchSize)
                {
                    carried = next;
                    break;
                }
                batch.Add(next);
                rows += next.Rows;
                deadline = Math.Min(deadline, next.Deadline);
            }
            Execute(batch, rows);
            batch.Clear();
        }
    }

    /// <summary>
    /// The next queued request, waiting for one until the <see cref="Stopwatch"/> timestamp <paramref name="until"/>
    /// (<see cref="long.MaxValue"/>: until one comes); null when none came in time, or when stopping with an empty queue.
    /// </summary>
    private PendingRequest? Take(long until)
    {
        while (true)
        {
            if (available.Wait(0)) return Dequeue();
            long remaining = until - Stopwatch.GetTimestamp();
            if (remaining <= 0) return null;
            if (until == long.MaxValue) { available.Wait(); return Dequeue(); }
            // timed waits are good to about a millisecond: wait out all but the last one, then yield
            if (remaining > 2 * OneMillisecond)
            {
                if (available.Wait(TimeSpan.FromTicks((remaining - OneMillisecond) * TimeSpan.TicksPerSecond / Stopwatch.Frequency))) return Dequeue();
            }
            else Thread.Yield();
        }
    }

    /// <summary>Dequeues after a permit was taken; null only for the permits <see cref="Dispose"/> releases to wake idle workers.</summary>
    private PendingRequest? Dequeue()
    {
        if (!queue.TryDequeue(out PendingRequest? pending)) return null;
        Interlocked.Decrement(ref waiting);
        return pending;
    }

    /// <summary>Claims a request for a batch: false when its caller abandoned it, or when its deadline passed (it is failed with 503).</summary>
    private bool Admit(PendingRequest pending)
    {
        bool taken = pending.TryTake();
        if (taken && Stopwatch.GetTimestamp() <= pending.Deadline) return true;
        if (taken) pending.Fail(DeadlinePassed(graph.Name, pending));
        Waited(1);
        return false;
    }

    /// <summary>Counts requests that stopped waiting for a run (negative: one more waits), and sets the queue metric.</summary>
    private void Waited(int requests) => metrics.QueueLength(graph.Name, Interlocked.Add(ref waitingForRun, -requests));

    /// <summary>The 503 of a request whose deadline passed while it was queued.</summary>
    public static ProtocolException DeadlinePassed(string model, PendingRequest pending) => ProtocolException.Unavailable(
        $"{model}: the request waited {Stopwatch.GetElapsedTime(pending.QueuedAt).TotalMicroseconds:0} µs in the queue and its deadline passed; retry, or give it a longer 'timeout' parameter (µs).");

    private void Execute(List<PendingRequest> batch, int rows)
    {
        long start = Stopwatch.GetTimestamp();
        Waited(batch.Count);
        foreach (PendingRequest pending in batch) metrics.Queued(graph.Name, Stopwatch.GetElapsedTime(pending.QueuedAt, start).TotalSeconds);
        float[][] outputs;
        try
        {
            outputs = graph.Run(batch.Count == 1 ? batch[0].Inputs : Concatenate(batch, rows), rows);
        }
        catch (Exception e)
        {
            foreach (PendingRequest pending in batch) pending.Fail(e);
            return;
        }
        metrics.Run(graph.Name, rows, Stopwatch.GetElapsedTime(start).TotalSeconds);
        int offset = 0;
        foreach (PendingRequest pending in batch)
        {
            var mine = new ArraySegment<float>[outputs.Length];
            for (int o = 0; o < outputs.Length; o++)
            {
                int size = graph.Outputs[o].SampleSize;
                mine[o] = new ArraySegment<float>(outputs[o], offset * size, pending.Rows * size);
            }
            pending.Complete(new GraphResult(mine, pending.Rows));
            offset += pending.Rows;
        }
    }

    /// <summary>The batch's inputs stacked row-wise, request after request, one array per graph input.</summary>
    private float[][] Concatenate(List<PendingRequest> batch, int rows)
    {
        var inputs = new float[graph.Inputs.Count][];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new float[rows * graph.Inputs[i].SampleSize];
            int offset = 0;
            foreach (PendingRequest pending in batch)
            {
                pending.Inputs[i].CopyTo(inputs[i], offset);
                offset += pending.Inputs[i].Length;
            }
        }
        return inputs;
    }

    /// <summary>Stops taking requests, lets the workers finish what is queued, and joins them.</summary>
    public void Dispose()
    {
        if (stopping) return;
        stopping = true;
        available.Release(workers.Length);
        foreach (Thread worker in workers) worker.Join();
        // a request queued while Dispose began (it passed the stopping check first) gets an answer too
        while (queue.TryDequeue(out PendingRequest? late))
        {
            if (late.TryTake()) late.Fail(ProtocolException.Unavailable($"{graph.Name}: the server is shutting down."));
            Waited(1);
        }
        available.Dispose();
    }
}
