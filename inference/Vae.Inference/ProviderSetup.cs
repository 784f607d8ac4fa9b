using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>
/// Turns <see cref="VaeSessionOptions.Provider"/> into ONNX Runtime session options: checks that the loaded
/// ONNX Runtime build contains the provider, appends it, and explains what is missing when it cannot.
/// </summary>
internal static class ProviderSetup
{
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
    public static ExecutionProviderException NotInBuild(ExecutionProvider provider)
    {
        string version = OrtBuild.Version;
        return new(provider,
            $"execution provider {provider} ({OrtName(provider)}) is not in the loaded ONNX Runtime {version} build " +
            $"(providers present: {string.Join(", ", Available())}). The application must reference {PackageFor(provider, version)} " +
            $"instead of its current native ONNX Runtime package (exactly one native package per application), and {Requirements(provider)}.");
    }

    /// <summary>
    /// The error for a provider in the build whose native libraries or driver fail to load: what the build's provider
    /// libraries need (read from them) and which of those this machine lacks. One line.
    /// </summary>
    public static ExecutionProviderException CannotStart(ExecutionProvider provider, int deviceId, Exception cause)
    {
        IReadOnlyList<NativeDependency> needs = provider is ExecutionProvider.Cuda or ExecutionProvider.TensorRT ? OrtBuild.Dependencies(provider) : [];
        string? needed = OrtBuild.Needs(needs.Where(d => d.Family != NativeDependency.Driver).ToList());
        IReadOnlyList<NativeDependency> missing = OrtBuild.Missing(needs);
        string what = needed is null
            ? $"Get them: {Requirements(provider)}."
            : $"This ONNX Runtime {OrtBuild.Version} build needs {needed}" +
              (missing.Count > 0 ? $"; not found on this machine: {string.Join(", ", missing.Select(d => d.Family == NativeDependency.Driver ? $"{d.FileName} (the NVIDIA driver)" : d.FileName))}" : "") +
              ". Install them or put their folders on the library search path (LD_LIBRARY_PATH on Linux, PATH on Windows).";
        return new(provider, OneLine(
            $"execution provider {provider} ({OrtName(provider)}, device {deviceId}) is in the loaded ONNX Runtime build but did not start: " +
            $"{cause.Message.Trim().TrimEnd('.')}. {what}"), cause);
    }

    /// <summary>Whitespace runs (ONNX Runtime's messages hold newlines) folded into single spaces.</summary>
    private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    private static string PackageFor(ExecutionProvider provider, string version) => provider switch
    {
        ExecutionProvider.DirectML => $"Microsoft.ML.OnnxRuntime.DirectML {version} (Windows)",
        _ => $"Microsoft.ML.OnnxRuntime.Gpu.Linux {version} (Linux) or Microsoft.ML.OnnxRuntime.Gpu.Windows {version} (Windows)",
    };

    private static string Requirements(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cuda => "the machine needs an NVIDIA driver with the CUDA and cuDNN versions that package's provider library links against (named when it fails to start)",
        ExecutionProvider.TensorRT => "the machine needs an NVIDIA driver with the CUDA, cuDNN and TensorRT versions that package's provider libraries link against (named when they fail to start)",
        ExecutionProvider.DirectML => "the machine needs Windows 10 1903 or later with a DirectX 12 capable GPU and driver",
        _ => "nothing further is needed",
    };
}
