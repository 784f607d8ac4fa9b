using System.Diagnostics;
using Vae.Inference;

namespace Vae.Server.Bench;

/// <summary>
/// Measures one execution provider on one model folder: which provider runs and why, parity with the CPU provider on
/// the same rows, per-call latency of encode and decode at batch 1 and 256 (host input to host output), large-batch
/// throughput, and anomaly scoring with many latent samples per image.
/// </summary>
internal static class ProviderBench
{
    /// <summary>Runs every figure; <paramref name="progress"/> gets one line per step.</summary>
    public static BenchReport Run(BenchSettings settings, TextWriter progress)
    {
        settings.Validate();
        var total = Stopwatch.StartNew();
        var options = new VaeSessionOptions { Provider = settings.Provider, DeviceId = settings.DeviceId, IntraOpThreads = settings.Threads };
        using VaeModel model = VaeModel.Load(settings.Model, options);
        progress.WriteLine($"provider: {model.Provider} ({model.ProviderReport}); ONNX Runtime {OrtBuild.Version}");

        int rowsNeeded = Math.Max(settings.ParityRows, Math.Max(256, settings.AnomalyImages));
        BenchRows rows = BenchRows.Load(settings.Data, model, rowsNeeded);
        int n = model.InputSize;

        progress.WriteLine($"parity vs CPU on {settings.ParityRows} rows");
        (double mean, double logvar, double decoder) = Parity(model, settings, rows);

        progress.WriteLine("latency: encode and decode at batch 1 and 256");
        Latency encode1 = EncodeLatency(model, rows, 1, settings), decode1 = DecodeLatency(model, rows, 1, settings);
        Latency encode256 = EncodeLatency(model, rows, 256, settings), decode256 = DecodeLatency(model, rows, 256, settings);

        progress.WriteLine($"throughput: {settings.LargeBatch:N0} rows per call");
        (double encodeRate, double decodeRate) = LargeBatch(model, rows, settings.LargeBatch);

        progress.WriteLine($"anomaly scoring: {settings.AnomalyImages} images × {settings.AnomalySamples} samples");
        var scores = new AnomalyScore[settings.AnomalyImages];
        ReadOnlySpan<float> anomalyRows = rows.X.AsSpan(0, settings.AnomalyImages * n);
        int[] anomalyLabels = BenchRows.Labels(model, settings.AnomalyImages);
        model.ScoreAnomalies(anomalyRows[..Math.Min(anomalyRows.Length, 16 * n)], scores.AsSpan(0, Math.Min(16, scores.Length)), 2, 1,
            anomalyLabels.AsSpan(0, Math.Min(anomalyLabels.Length, 16)));  // warm-up
        var anomaly = Stopwatch.StartNew();
        model.ScoreAnomalies(anomalyRows, scores, settings.AnomalySamples, 1, anomalyLabels);
        double anomalySeconds = anomaly.Elapsed.TotalSeconds;

        return new BenchReport
        {
            Model = Path.GetFullPath(settings.Model),
            Provider = model.Provider.ToString().ToLowerInvariant(),
            ProviderRequested = settings.Provider.ToString().ToLowerInvariant(),
            ProviderReport = model.ProviderReport,
            OrtVersion = OrtBuild.Version,
            OrtProviders = OrtBuild.Providers,
            Machine = MachineInfo.Read(),
            Rows = rows.Source,
            ParityRows = settings.ParityRows,
            ParityMaxAbsDiffVsCpu = Math.Max(mean, Math.Max(logvar, decoder)),
            ParityMean = mean, ParityLogvar = logvar, ParityDecoder = decoder,
            EncodeB1P50 = encode1.Percentile(50), EncodeB1P99 = encode1.Percentile(99),
            DecodeB1P50 = decode1.Percentile(50), DecodeB1P99 = decode1.Percentile(99),
            EncodeB256P50 = encode256.Percentile(50), EncodeB256P99 = encode256.Percentile(99),
            DecodeB256P50 = decode256.Percentile(50), DecodeB256P99 = decode256.Percentile(99),
            LargeBatch = settings.LargeBatch,
            EncodeRowsPerSecondLargeBatch = encodeRate, DecodeRowsPerSecondLargeBatch = decodeRate,
            AnomalyImages = settings.AnomalyImages, AnomalySamples = settings.AnomalySamples,
            AnomalySeconds = anomalySeconds, AnomalyImagesPerSecond = settings.AnomalyImages / anomalySeconds,
            CallsPerLatencyFigure = new[] { encode1.Count, decode1.Count, encode256.Count, decode256.Count }.Min(),
            Seconds = total.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Max |difference| of mean, logvar and the decoder output (for z = mean) between the model and a CPU-provider copy.</summary>
    private static (double Mean, double Logvar, double Decoder) Parity(VaeModel model, BenchSettings settings, BenchRows rows)
    {
        using VaeModel cpu = VaeModel.Load(settings.Model, new VaeSessionOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = settings.Threads });
        int count = settings.ParityRows, n = model.InputSize, k = model.LatentSize;
        int[] labels = BenchRows.Labels(model, count);
        ReadOnlySpan<float> x = rows.X.AsSpan(0, count * n);
        float[] mean = new float[count * k], logvar = new float[count * k], cpuMean = new float[count * k], cpuLogvar = new float[count * k];
        model.Encode(x, mean, logvar, labels);
        cpu.Encode(x, cpuMean, cpuLogvar, labels);
        float[] decoded = new float[count * n], cpuDecoded = new float[count * n];
        cpu.Decode(cpuMean, cpuDecoded, labels);
        model.Decode(cpuMean, decoded, labels);  // the same z for both: decoder parity alone
        return (MaxAbsDiff(mean, cpuMean), MaxAbsDiff(logvar, cpuLogvar), MaxAbsDiff(decoded, cpuDecoded));
    }

    private static Latency EncodeLatency(VaeModel model, BenchRows rows, int batch, BenchSettings s)
    {
        int n = model.InputSize, k = model.LatentSize;
        float[] x = rows.X[..(batch * n)], mean = new float[batch * k], logvar = new float[batch * k];
        int[] labels = BenchRows.Labels(model, batch);
        return Latency.Measure(() => model.Encode(x, mean, logvar, labels), s.Warmup, s.Iterations, s.SecondsPerFigure);
    }

    private static Latency DecodeLatency(VaeModel model, BenchRows rows, int batch, BenchSettings s)
    {
        int n = model.InputSize, k = model.LatentSize;
        float[] z = new float[batch * k], output = new float[batch * n];
        VaeModel.SampleLatent(z, seed: 1);
        int[] labels = BenchRows.Labels(model, batch);
        return Latency.Measure(() => model.Decode(z, output, labels), s.Warmup, s.Iterations, s.SecondsPerFigure);
    }

    /// <summary>Rows per second of encode and of decode at <paramref name="batch"/> rows per call: the best of three calls after one warm-up.</summary>
    private static (double Encode, double Decode) LargeBatch(VaeModel model, BenchRows rows, int batch)
    {
        int n = model.InputSize, k = model.LatentSize;
        var x = new float[(long)batch * n];
        for (long i = 0; i < x.LongLength; i += rows.X.Length) rows.X.AsSpan(0, (int)Math.Min(rows.X.Length, x.LongLength - i)).CopyTo(x.AsSpan((int)i));
        float[] mean = new float[batch * k], logvar = new float[batch * k], output = new float[(long)batch * n];
        int[] labels = BenchRows.Labels(model, batch);
        double encode = Best(() => model.Encode(x, mean, logvar, labels));
        double decode = Best(() => model.Decode(mean, output, labels));
        return (batch / encode, batch / decode);
    }

    private static double Best(Action call)
    {
        call();
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            best = Math.Min(best, (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency);
        }
        return best;
    }

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
