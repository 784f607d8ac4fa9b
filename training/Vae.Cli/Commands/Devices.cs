using TorchSharp;

namespace Vae.Cli.Commands;

/// <summary>Parses <c>--device</c>.</summary>
internal static class Devices
{
    /// <summary>The TorchSharp device for "cpu" or "cuda"; "cuda" without a usable GPU is a clear error.</summary>
    public static torch.Device Parse(string name) => name.ToLowerInvariant() switch
    {
        "cpu" => torch.CPU,
        "cuda" when torch.cuda.is_available() => torch.CUDA,
        "cuda" => throw new ArgumentException("--device cuda: CUDA is not available (no GPU found, or the libtorch backend is the CPU-only libtorch-cpu this vae build references; a CUDA build references libtorch-cuda-12.8-linux-x64 instead); use --device cpu.", "--device"),
        _ => throw new ArgumentException($"--device is '{name}'; expected cpu or cuda.", "--device"),
    };
}
