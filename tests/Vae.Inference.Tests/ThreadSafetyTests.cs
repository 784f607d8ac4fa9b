namespace Vae.Inference.Tests;

/// <summary>One model shared by 16 threads gives exactly the single-threaded results.</summary>
public class ThreadSafetyTests
{
    [Fact]
    public void Sixteen_threads_on_one_model_get_identical_results()
    {
        using var model = ReferenceModel.Load();
        float[] x = ReferenceModel.Flat(ReferenceModel.Data.X);
        var (expectedMean, expectedLogvar) = model.Encode(x);
        float[] expectedDecoded = model.Decode(expectedMean);
        AnomalyScore[] expectedScores = model.ScoreAnomalies(x, samples: 4, seed: 9);
        float[] expectedGenerated = model.Generate(8, seed: 3);

        using var start = new Barrier(16);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var mean = new float[expectedMean.Length];
            var logvar = new float[expectedLogvar.Length];
            var decoded = new float[expectedDecoded.Length];
            for (int round = 0; round < 25; round++)
            {
                int batch = 1 + (t + round) % 8; // mix batch sizes across threads
                model.Encode(x.AsSpan(0, batch * 784), mean.AsSpan(0, batch * 8), logvar.AsSpan(0, batch * 8));
                model.Decode(expectedMean.AsSpan(0, batch * 8), decoded.AsSpan(0, batch * 784));
                if (!mean.AsSpan(0, batch * 8).SequenceEqual(expectedMean.AsSpan(0, batch * 8)) ||
                    !logvar.AsSpan(0, batch * 8).SequenceEqual(expectedLogvar.AsSpan(0, batch * 8)) ||
                    !decoded.AsSpan(0, batch * 784).SequenceEqual(expectedDecoded.AsSpan(0, batch * 784)))
                    failures.Add($"thread {t} round {round} batch {batch}: encode/decode differ");
                if (round % 5 == 0)
                {
                    if (!model.ScoreAnomalies(x, samples: 4, seed: 9).SequenceEqual(expectedScores)) failures.Add($"thread {t}: scores differ");
                    if (!model.Generate(8, seed: 3).SequenceEqual(expectedGenerated)) failures.Add($"thread {t}: generated images differ");
                }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        Assert.Empty(failures);
    }

    [Fact]
    public void Dispose_waits_for_calls_in_flight_and_later_calls_throw()
    {
        var model = ReferenceModel.Load();
        float[] x = ReferenceModel.Flat(ReferenceModel.Data.X);
        int disposedSeen = 0, completed = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                try { model.Reconstruct(x); Interlocked.Increment(ref completed); }
                catch (ObjectDisposedException) { Interlocked.Increment(ref disposedSeen); return; }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        while (Volatile.Read(ref completed) < 8) Thread.Yield();
        model.Dispose();
        threads.ForEach(th => th.Join());
        Assert.True(completed >= 8);
        Assert.Throws<ObjectDisposedException>(() => model.Reconstruct(x));
    }
}
