using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Vae.Bench.Inference;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), or wall-clock time where that clock is not
/// available. The inference benchmarks run single-threaded (one intra-op thread, no thread pool), so the thread's CPU
/// time is the work done; unlike wall-clock time it does not grow while other processes on a shared machine hold the core.
/// </summary>
internal static partial class ThreadClock
{
    private const int ThreadCpuTimeId = 3; // CLOCK_THREAD_CPUTIME_ID

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Whether <see cref="Now"/> is thread CPU time (else wall-clock).</summary>
    public static readonly bool IsCpuTime = OperatingSystem.IsLinux() && Probe();

    /// <summary>What <see cref="Now"/> measures, for reports.</summary>
    public static string Kind => IsCpuTime ? "thread CPU time" : "wall-clock time";

    private static bool Probe()
    {
        try { return ClockGetTime(ThreadCpuTimeId, out _) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    /// <summary>A reading in nanoseconds; only differences mean anything.</summary>
    public static long Now()
    {
        if (!IsCpuTime) return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        ClockGetTime(ThreadCpuTimeId, out TimeSpec t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }
}
