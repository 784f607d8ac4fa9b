using System.Diagnostics;

namespace Vae.Bench.MLNet;

/// <summary>
/// The two contestants timed in alternating rounds (a then b, b then a, …) with the wall clock, and the median of the
/// per-round ratios with its quartiles. On a shared machine the load drifts over seconds, so separate BenchmarkDotNet
/// runs of each side see different machines; a ratio taken within one round sees the same one. Wall clock, not thread
/// CPU time, because ONNX Runtime works on its own intra-op threads.
/// </summary>
internal static class MlNetPaired
{
    /// <summary>Rounds per comparison (each round times both sides once).</summary>
    public const int Rounds = 15;

    /// <summary>Single-row predictions per timed block.</summary>
    public const int PredictionsPerBlock = 2000;

    /// <summary>Scan and prediction ratios, ApplyOnnxModel time ÷ VaeEmbedding time, on a fresh setup of <see cref="MlNetBenchmarks"/>.</summary>
    public static (Quartiles Scan, Quartiles Predict) Measure()
    {
        var bench = new MlNetBenchmarks();
        bench.Setup();
        try
        {
            Quartiles scan = Ratio(() => bench.ScanApplyOnnx(), () => bench.ScanVaeEmbedding(), calls: 1);
            Quartiles predict = Ratio(() => bench.PredictApplyOnnx(), () => bench.PredictVaeEmbedding(), PredictionsPerBlock);
            return (scan, predict);
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>Quartiles over <see cref="Rounds"/> rounds of time(<paramref name="a"/>) ÷ time(<paramref name="b"/>), <paramref name="calls"/> calls per block.</summary>
    private static Quartiles Ratio(Func<float> a, Func<float> b, int calls)
    {
        Block(a, calls);
        Block(b, calls); // warm-up: JIT tiers, ONNX Runtime's first runs
        var ratios = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            double ta, tb;
            if (r % 2 == 0) { ta = Block(a, calls); tb = Block(b, calls); }
            else { tb = Block(b, calls); ta = Block(a, calls); }
            ratios[r] = ta / tb;
        }
        Array.Sort(ratios);
        return new Quartiles(ratios[Rounds / 4], ratios[Rounds / 2], ratios[3 * Rounds / 4]);
    }

    private static double Block(Func<float> f, int calls)
    {
        float sink = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) sink += f();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return float.IsNaN(sink) ? throw new InvalidOperationException("a benchmark returned NaN.") : seconds;
    }
}

/// <summary>First quartile, median and third quartile of a set of ratios.</summary>
internal readonly record struct Quartiles(double Q1, double Median, double Q3);
