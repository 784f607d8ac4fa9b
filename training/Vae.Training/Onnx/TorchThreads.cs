using TorchSharp;

namespace Vae.Training.Onnx;

/// <summary>
/// Runs TorchSharp on one intra-op thread until disposed, then restores the previous count. Export runs the
/// model on batches of 1 to 37, where synchronising libtorch's thread pool costs more than the work it shares
/// (most of all when the machine's cores are busy). The setting is process-wide: do not train in another thread while
/// an export runs.
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
