namespace Vae.Bench.Inference;

/// <summary>
/// Time ratio of two calls measured in alternating blocks (a then b, b then a, …) with <see cref="ThreadClock"/>, so
/// that load from other processes, which drifts over seconds, hits both sides alike; the median over rounds, with
/// its quartiles, is robust on a shared machine where separate BenchmarkDotNet runs of each side drift apart.
/// </summary>
internal static class PairedRatio
{
    /// <summary>Quartiles of time(a) ÷ time(b) over <paramref name="rounds"/> rounds of blocks of about <paramref name="blockMs"/> ms.</summary>
    public static (double Median, double Q1, double Q3) Measure(Action a, Action b, int rounds = 150, double blockMs = 4)
    {
        for (int i = 0; i < 20; i++) { a(); b(); }
        long start = ThreadClock.Now();
        for (int i = 0; i < 5; i++) a();
        double callMs = Math.Max((ThreadClock.Now() - start) / 5e6, 1e-4);
        int calls = Math.Max(1, (int)(blockMs / callMs));
        var ratios = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            double ta, tb;
            if (r % 2 == 0) { ta = Block(a, calls); tb = Block(b, calls); }
            else { tb = Block(b, calls); ta = Block(a, calls); }
            ratios[r] = ta / tb;
        }
        Array.Sort(ratios);
        return (ratios[rounds / 2], ratios[rounds / 4], ratios[3 * rounds / 4]);
    }

    private static double Block(Action f, int calls)
    {
        long start = ThreadClock.Now();
        for (int i = 0; i < calls; i++) f();
        return ThreadClock.Now() - start;
    }
}
