using TorchSharp;

namespace Vae.Training.Onnx;

/// <summary>
/// Runs TorchSharp on one intra-op thread until disposed, then restores the previous count. Export runs the
/// model on batches of 1 to 37; there, synchronising libtorch's thread pool costs more than it saves — on a
/// machine whose cores are busy, a 784-400-20 forward pass took 50–230 ms on 2 threads and under 1 ms on one.
/// The setting is process-wide: do not train in another thread while an export runs.
/// </summary>
internal sealed class TorchThreads : IDisposable
{
    private readonly int previous;
    private bool disposed;

    private TorchThreads(int threads)
    {
        previous = torch.get_num_threads();
        if (previous != threads) torch.set_num_threads(threads);
    }

    /// <summary>One thread until the returned scope is disposed (the caller disposes it).</summary>
    public static TorchThreads Single() => new(1);

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (torch.get_num_threads() != previous) torch.set_num_threads(previous);
    }
}
