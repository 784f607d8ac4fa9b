using System.Runtime.InteropServices;

namespace Vae.Training.Native;

/// <summary>
/// Keeps the memory libtorch has freed from piling up in the C library's heap. libtorch allocates tensors with malloc
/// from several threads; glibc keeps freed blocks in its arenas, and a loop that allocates one large tensor per step —
/// the importance-sampled NLL decodes k × 784 values per test image — could grow the process by about one such tensor
/// per step although every tensor was disposed (15.7 MB per image at k = 5000: the full MNIST test set was killed by
/// the kernel). Whether it grows depends on which threads allocated what, so a loop asks <see cref="Watch"/> after each
/// step, and memory is handed back (glibc's <c>malloc_trim</c>) once the process has grown by <see cref="Allowance"/>
/// since the loop began or since the last trim. Trimming at every step would cost its page faults every time.
/// Elsewhere than on glibc (musl, macOS, Windows) it does nothing.
/// </summary>
internal static class NativeHeap
{
    private static bool unavailable = !OperatingSystem.IsLinux();

    /// <summary>How far resident memory may grow during a loop before freed memory is handed back (default 256 MiB).</summary>
    public static long Allowance { get; set; } = 256L << 20;

    /// <summary>A watch over one loop, started at the current resident size.</summary>
    public static LoopWatch Watch() => new(Environment.WorkingSet);

    /// <summary>Returns free heap memory to the system where glibc offers it; a no-op elsewhere.</summary>
    public static void Trim()
    {
        if (unavailable) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            unavailable = true;   // a C library without malloc_trim (musl)
        }
    }

    /// <summary>Resident memory at the start of a loop (or at its last trim).</summary>
    internal sealed class LoopWatch(long baseline)
    {
        private long baseline = baseline;

        /// <summary>Called after each step, once its tensors are disposed: trims when the process outgrew the allowance.</summary>
        public void Step()
        {
            if (Environment.WorkingSet - baseline <= Allowance) return;
            Trim();
            baseline = Environment.WorkingSet;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
