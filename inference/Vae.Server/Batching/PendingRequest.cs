using System.Diagnostics;

namespace Vae.Server.Batching;

/// <summary>
/// One infer request waiting for its graph: its inputs and rows, when it was queued, its deadline, and the result its
/// caller awaits. A request is taken by a batch or abandoned by its caller (deadline, disconnect), never both.
/// </summary>
internal sealed class PendingRequest(float[][] inputs, int rows, long deadline)
{
    private const int Queued = 0, Taken = 1, Abandoned = 2;
    private readonly TaskCompletionSource<GraphResult> result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int state;

    /// <summary>One array per graph input, rows × sample size values each.</summary>
    public float[][] Inputs { get; } = inputs;

    public int Rows { get; } = rows;

    /// <summary>When the request was queued (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long QueuedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>The latest <see cref="Stopwatch.GetTimestamp"/> at which a batch may still take it; <see cref="long.MaxValue"/> for none.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>Completes with the caller's rows, or fails with the reason.</summary>
    public Task<GraphResult> Result => result.Task;

    /// <summary>Claims the request for a batch; false when its caller abandoned it.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref state, Taken, Queued) == Queued;

    /// <summary>Withdraws the request before a batch takes it; false when a batch already has.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref state, Abandoned, Queued) == Queued;

    public void Complete(GraphResult rows) => result.TrySetResult(rows);

    public void Fail(Exception error) => result.TrySetException(error);
}
