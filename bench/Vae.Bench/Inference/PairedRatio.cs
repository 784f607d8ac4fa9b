namespace Vae.Bench.Inference;

/// <summary>
/// Time ratio of two calls measured in alternating blocks (a then b, b then a, …) with <see cref="ThreadClock"/>, so
/// that load from other processes, which drifts over seconds, hits both sides alike; the median over rounds, with
/// its quartiles, is robust on a shared machine where separate BenchmarkDotNet runs of each side drift apart.
/// </summary>
internal static class PairedRatio
{
    /// <summary>
    /// Quartiles of time(a) ÷ time(b) over <paramref name="rounds"/> rounds of blocks of about <paramref name="blockMs"/> ms;
    /// round r times <paramref name="a"/>[r mod n] against <paramref name="b"/>[r mod n] (copies of the same contestants).
    /// </summary>
    public static (double Median, double Q1, double Q3) Measure(Action[] a, Action[] b, int rounds = 160, double blockMs = 4)
    {
        if (a.Length == 0 || a.Length != b.Length) throw new ArgumentException($"a has {a.Length} actions and b {b.Length}; expected the same positive count.", nameof(b));
        WarmUp(a, b);
        long start = ThreadClock.Now();
        for (int i = 0; i < 5; i++) a[0]();
        double callMs = Math.Max((ThreadClock.Now() - start) / 5e6, 1e-4);
        int calls = Math.Max(1, (int)(blockMs / callMs));
        var ratios = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            Action fa = a[r % a.Length], fb = b[r % b.Length];
            double ta, tb;
            if (r / a.Length % 2 == 0) { ta = Block(fa, calls); tb = Block(fb, calls); }
            else { tb = Block(fb, calls); ta = Block(fa, calls); }
            ratios[r] = ta / tb;
        }
        Array.Sort(ratios);
        return (ratios[rounds / 2], ratios[rounds / 4], ratios[3 * rounds / 4]);
    }

    /// <summary>Runs every action for at least half a second in all, so that the JIT has promoted the hot paths to optimised code.</summary>
    private static void WarmUp(Action[] a, Action[] b)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < 40 || clock.ElapsedMilliseconds < 500; n++)
            for (int i = 0; i < a.Length; i++) { a[i](); b[i](); }
    }

    private static double Block(Action f, int calls)
    {
        long start = ThreadClock.Now();
        for (int i = 0; i < calls; i++) f();
        return ThreadClock.Now() - start;
    }
}
