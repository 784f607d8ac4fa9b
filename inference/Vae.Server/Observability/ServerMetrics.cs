using Prometheus;

namespace Vae.Server.Observability;

/// <summary>
/// The Prometheus metrics of one server (its own registry, so that servers in one process do not mix): requests, errors
/// and latency per model and endpoint; batch sizes, queue time and ONNX Runtime time per graph; the .NET process
/// figures (memory, CPU, GC) beside them.
/// </summary>
public sealed class ServerMetrics
{
    private static readonly double[] SecondsBuckets = Histogram.ExponentialBuckets(0.000_025, 2, 18); // 25 µs to 3.3 s
    private static readonly double[] RowBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    private readonly Counter requests, errors;
    private readonly Histogram requestSeconds, batchRows, queueSeconds, runSeconds;
    private readonly Gauge queued, ready, failedFolders;

    public ServerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        MetricFactory f = Metrics.WithCustomRegistry(Registry);
        string[] endpoint = ["model", "endpoint"];
        requests = f.CreateCounter("vae_serve_requests_total", "Requests answered, by model and endpoint.", endpoint);
        errors = f.CreateCounter("vae_serve_request_errors_total", "Requests answered with an error status, by model, endpoint and status code.", ["model", "endpoint", "code"]);
        requestSeconds = f.CreateHistogram("vae_serve_request_duration_seconds", "Time from the request reaching its endpoint to the answer, by model and endpoint.",
            new HistogramConfiguration { LabelNames = endpoint, Buckets = SecondsBuckets });
        batchRows = f.CreateHistogram("vae_serve_batch_rows", "Rows of each ONNX Runtime run of a graph (coalesced requests count together).",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = RowBuckets });
        queueSeconds = f.CreateHistogram("vae_serve_queue_duration_seconds", "Time an infer request waited in its graph's batching queue.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = SecondsBuckets });
        runSeconds = f.CreateHistogram("vae_serve_inference_duration_seconds", "Time of each ONNX Runtime run of a graph.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = SecondsBuckets });
        queued = f.CreateGauge("vae_serve_queue_requests", "Infer requests waiting for a run of their graph: queued, or gathered into the batch being formed.", ["model"]);
        ready = f.CreateGauge("vae_serve_model_ready", "1 for each model being served.", ["model"]);
        failedFolders = f.CreateGauge("vae_serve_model_folder_failures", "Model folders that failed to load at start.");
    }

    /// <summary>The registry that /metrics exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Counts one answered request and its time; statuses of 400 and above also count as errors.</summary>
    public void Request(string model, string endpoint, int status, double seconds)
    {
        requests.WithLabels(model, endpoint).Inc();
        requestSeconds.WithLabels(model, endpoint).Observe(seconds);
        if (status >= 400) errors.WithLabels(model, endpoint, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
    }

    /// <summary>One ONNX Runtime run of <paramref name="model"/> over <paramref name="rows"/> rows.</summary>
    public void Run(string model, int rows, double seconds)
    {
        batchRows.WithLabels(model).Observe(rows);
        runSeconds.WithLabels(model).Observe(seconds);
    }

    /// <summary>The time one request waited in <paramref name="model"/>'s queue.</summary>
    public void Queued(string model, double seconds) => queueSeconds.WithLabels(model).Observe(seconds);

    /// <summary>Sets the number of requests waiting for <paramref name="model"/>.</summary>
    public void QueueLength(string model, int requests) => queued.WithLabels(model).Set(requests);

    /// <summary>Marks <paramref name="model"/> as served (or no longer).</summary>
    public void Ready(string model, bool isReady) => ready.WithLabels(model).Set(isReady ? 1 : 0);

    /// <summary>Sets the number of model folders that failed to load.</summary>
    public void FolderFailures(int count) => failedFolders.Set(count);
}
