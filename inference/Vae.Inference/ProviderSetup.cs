using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>
/// Turns <see cref="VaeSessionOptions.Provider"/> into ONNX Runtime session options: checks that the loaded
/// ONNX Runtime build contains the provider, appends it, and explains what is missing when it cannot.
/// </summary>
internal static class ProviderSetup
{
    /// <summary>The ONNX Runtime package this library was built against (MSBuild property OrtFlavor).</summary>
#if ORT_FLAVOR_GPU
    public const string Flavor = "Gpu";
#elif ORT_FLAVOR_DIRECTML
    public const string Flavor = "DirectML";
#else
    public const string Flavor = "Cpu";
#endif

    /// <summary>Providers <see cref="ExecutionProvider.Auto"/> tries, in order, before the CPU.</summary>
    public static readonly ExecutionProvider[] AutoOrder = [ExecutionProvider.Cuda, ExecutionProvider.DirectML];

    /// <summary>ONNX Runtime's name for a provider.</summary>
    public static string OrtName(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cpu => "CPUExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        ExecutionProvider.DirectML => "DmlExecutionProvider",
        ExecutionProvider.TensorRT => "TensorrtExecutionProvider",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Auto has no single ONNX Runtime name."),
    };

    /// <summary>Providers compiled into the loaded ONNX Runtime native library.</summary>
    public static IReadOnlyList<string> Available() => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>Whether the loaded ONNX Runtime build contains <paramref name="provider"/>.</summary>
    public static bool IsAvailable(ExecutionProvider provider) => Available().Contains(OrtName(provider));

    /// <summary>Appends <paramref name="provider"/> (not Auto) to <paramref name="options"/>.</summary>
    /// <exception cref="ExecutionProviderException">The build lacks the provider, or its native libraries or driver cannot be loaded.</exception>
    public static void Append(SessionOptions options, ExecutionProvider provider, int deviceId)
    {
        if (provider == ExecutionProvider.Cpu) return;
        if (!IsAvailable(provider)) throw NotInBuild(provider);
        try
        {
            switch (provider)
            {
                case ExecutionProvider.Cuda: options.AppendExecutionProvider_CUDA(deviceId); break;
                case ExecutionProvider.DirectML: options.AppendExecutionProvider_DML(deviceId); break;
                case ExecutionProvider.TensorRT: options.AppendExecutionProvider_Tensorrt(deviceId); break;
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw CannotStart(provider, deviceId, e);
        }
    }

    /// <summary>The error for a provider the loaded build does not contain.</summary>
    public static ExecutionProviderException NotInBuild(ExecutionProvider provider) => new(provider,
        $"execution provider {provider} ({OrtName(provider)}) is not in the loaded ONNX Runtime build " +
        $"(package flavour '{Flavor}'; providers present: {string.Join(", ", Available())}). Missing: the NuGet package {PackageFor(provider)}. " +
        $"Get it: build with 'dotnet build -p:OrtFlavor={FlavorFor(provider)}' where that package can be restored, and {Requirements(provider)}.");

    /// <summary>The error for a provider in the build whose native libraries or driver fail to load.</summary>
    public static ExecutionProviderException CannotStart(ExecutionProvider provider, int deviceId, Exception cause) => new(provider,
        $"execution provider {provider} ({OrtName(provider)}, device {deviceId}) is in the ONNX Runtime build but did not start: {cause.Message.Trim()} " +
        $"Missing: its native libraries or driver. Get them: {Requirements(provider)}.", cause);

    private static string PackageFor(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.DirectML => "Microsoft.ML.OnnxRuntime.DirectML (Windows)",
        _ => "Microsoft.ML.OnnxRuntime.Gpu.Linux (Linux) or Microsoft.ML.OnnxRuntime.Gpu.Windows (Windows)",
    };

    private static string FlavorFor(ExecutionProvider provider) => provider == ExecutionProvider.DirectML ? "DirectML" : "Gpu";

    private static string Requirements(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cuda => "install an NVIDIA driver, CUDA 12.x and cuDNN 9.x so that libcudart, libcublas and libcudnn are on the library path",
        ExecutionProvider.TensorRT => "install an NVIDIA driver, CUDA 12.x, cuDNN 9.x and TensorRT 10.x so that libnvinfer is on the library path",
        ExecutionProvider.DirectML => "run on Windows 10 1903 or later with a DirectX 12 capable GPU and driver",
        _ => "nothing further is needed",
    };
}
