using System.Diagnostics;
using Vae.Inference;

namespace Vae.Bench.Inference;

/// <summary>Aggregate throughput of one model shared by N threads (encode + decode at batch 1), against one thread.</summary>
internal static class ThreadScaling
{
    /// <summary>Calls per second summed over <paramref name="threads"/> threads, measured for <paramref name="seconds"/>.</summary>
    public static double Throughput(VaeModel model, int threads, double seconds)
    {
        float[] x = new float[model.InputSize];
        var random = new Random(1);
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        long calls = 0;
        using var start = new Barrier(threads + 1);
        bool stop = false;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            var mean = new float[model.LatentSize];
            var logvar = new float[model.LatentSize];
            var output = new float[model.InputSize];
            for (int i = 0; i < 20; i++) { model.Encode(x, mean, logvar); model.Decode(mean, output); }
            start.SignalAndWait();
            long mine = 0;
            while (!Volatile.Read(ref stop)) { model.Encode(x, mean, logvar); model.Decode(mean, output); mine++; }
            Interlocked.Add(ref calls, mine);
        })).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref stop, true);
        workers.ForEach(w => w.Join());
        return calls / clock.Elapsed.TotalSeconds;
    }
}
