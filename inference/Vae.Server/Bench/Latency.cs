using System.Diagnostics;

namespace Vae.Server.Bench;

/// <summary>Per-call wall-clock latencies of a repeated call, and their percentiles.</summary>
internal sealed class Latency
{
    private readonly double[] sortedMicroseconds;

    private Latency(double[] microseconds)
    {
        sortedMicroseconds = microseconds;
        Array.Sort(sortedMicroseconds);
    }

    /// <summary>Calls timed.</summary>
    public int Count => sortedMicroseconds.Length;

    /// <summary>Times <paramref name="call"/>: <paramref name="warmup"/> untimed calls, then up to <paramref name="iterations"/>
    /// timed ones, stopping early (after at least 10) once <paramref name="seconds"/> have passed.</summary>
    public static Latency Measure(Action call, int warmup, int iterations, double seconds)
    {
        for (int i = 0; i < warmup; i++) call();
        var times = new List<double>(Math.Min(iterations, 100_000));
        long deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            long end = Stopwatch.GetTimestamp();
            times.Add((end - start) * 1e6 / Stopwatch.Frequency);
            if (i >= 9 && end > deadline) break;
        }
        return new Latency([.. times]);
    }

    /// <summary>The <paramref name="p"/>-th percentile (0–100) in microseconds, nearest rank.</summary>
    public double Percentile(double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        int rank = (int)Math.Ceiling(p / 100 * sortedMicroseconds.Length);
        return sortedMicroseconds[Math.Clamp(rank - 1, 0, sortedMicroseconds.Length - 1)];
    }
}
