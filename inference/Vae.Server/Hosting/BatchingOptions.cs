namespace Vae.Server.Hosting;

/// <summary>
/// Dynamic batching of one graph, as Triton's <c>dynamic_batching</c>: concurrent infer requests are coalesced into one
/// ONNX Runtime run of at most <see cref="MaxBatchSize"/> rows; the first request of a batch waits at most
/// <see cref="MaxQueueDelayMicroseconds"/> for others to join; each caller gets back exactly its own rows.
/// </summary>
public sealed class BatchingOptions
{
    /// <summary>Whether requests are batched (false: each request runs on its own, as it arrives).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most rows of one coalesced run; a single request larger than this runs alone.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Most microseconds the first request of a batch waits for others; 0 takes whatever is queued at once.</summary>
    public int MaxQueueDelayMicroseconds { get; set; } = 0;

    /// <summary>Most requests waiting in the queue; one more is answered 503 at once (0: no limit).</summary>
    public int MaxQueueSize { get; set; } = 4096;

    /// <summary>Microseconds a request may wait in the queue before it is answered 503 (0: no deadline), unless the request sets its own <c>timeout</c> parameter.</summary>
    public long DefaultTimeoutMicroseconds { get; set; }

    /// <summary>Runs of this graph at a time (Triton's instance count).</summary>
    public int Instances { get; set; } = 1;

    /// <summary>A copy to apply a per-model override to.</summary>
    public BatchingOptions Copy() => (BatchingOptions)MemberwiseClone();

    /// <summary>Checks the values; <paramref name="section"/> names them in the error.</summary>
    public void Validate(string section)
    {
        if (MaxBatchSize < 1) throw Bad(section, nameof(MaxBatchSize), MaxBatchSize, "1 or more rows");
        if (MaxQueueDelayMicroseconds < 0 || MaxQueueDelayMicroseconds > 10_000_000) throw Bad(section, nameof(MaxQueueDelayMicroseconds), MaxQueueDelayMicroseconds, "0 to 10,000,000 µs");
        if (MaxQueueSize < 0) throw Bad(section, nameof(MaxQueueSize), MaxQueueSize, "0 (no limit) or more");
        if (DefaultTimeoutMicroseconds < 0) throw Bad(section, nameof(DefaultTimeoutMicroseconds), DefaultTimeoutMicroseconds, "0 (no deadline) or more");
        if (Instances < 1 || Instances > 64) throw Bad(section, nameof(Instances), Instances, "1 to 64");
    }

    private static ArgumentException Bad(string section, string setting, object value, string expected) =>
        new($"{section}:{setting} is {value}; expected {expected}.", setting);
}
