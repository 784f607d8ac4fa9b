using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>
/// Facts about the ONNX Runtime native build this process loaded: its version, the folder it was loaded from, and
/// the GPU libraries (with their major versions) that its provider libraries are linked against or name. Provider
/// errors are written from these facts rather than from a table of versions that would go stale.
/// </summary>
public static partial class OrtBuild
{
    /// <summary>The version of the loaded ONNX Runtime native library, e.g. "1.32.0".</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Execution providers compiled into the loaded build (ONNX Runtime names, e.g. "CUDAExecutionProvider").</summary>
    public static IReadOnlyList<string> Providers => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>The folder the ONNX Runtime native library was loaded from; null when it cannot be found.</summary>
    public static string? NativeFolder()
    {
        _ = OrtEnv.Instance();
        try
        {
            using var process = Process.GetCurrentProcess();
            foreach (ProcessModule module in process.Modules)
            {
                string name = Path.GetFileName(module.FileName ?? "");
                if (name is "libonnxruntime.so" or "onnxruntime.dll" or "libonnxruntime.dylib" || name.StartsWith("libonnxruntime.so.", StringComparison.Ordinal))
                    return Path.GetDirectoryName(module.FileName);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            // the module list is unavailable (sandboxed process): no folder, and the error text says less
        }
        return null;
    }

    /// <summary>
    /// The provider libraries of <paramref name="provider"/> in the loaded build's folder (for CUDA: the CUDA provider;
    /// for TensorRT: the TensorRT and the CUDA provider, which it uses); empty for the CPU and DirectML (built in).
    /// </summary>
    public static IReadOnlyList<string> ProviderLibraries(ExecutionProvider provider, string? folder = null)
    {
        folder ??= NativeFolder();
        string[] stems = provider switch
        {
            ExecutionProvider.Cuda => ["cuda"],
            ExecutionProvider.TensorRT => ["tensorrt", "cuda"],
            _ => [],
        };
        if (folder is null) return [];
        var found = new List<string>();
        foreach (string stem in stems)
            foreach (string file in new[] { $"libonnxruntime_providers_{stem}.so", $"onnxruntime_providers_{stem}.dll" })
                if (File.Exists(Path.Combine(folder, file))) found.Add(Path.Combine(folder, file));
        return found;
    }

    /// <summary>
    /// The GPU runtime libraries that the loaded build's provider libraries for <paramref name="provider"/> are linked
    /// against, e.g. libcudart.so.13, libcublas.so.13 (Linux) or cudart64_13.dll (Windows), each once, read from the
    /// files' import tables (<see cref="NativeImports"/>), not from a table of versions. The CUDA provider loads cuDNN
    /// at run time, so its cuDNN is the one the TensorRT provider of the same build links against.
    /// </summary>
    public static IReadOnlyList<NativeDependency> Dependencies(ExecutionProvider provider, string? folder = null)
    {
        folder ??= NativeFolder();
        var all = new List<NativeDependency>();
        foreach (string file in ProviderLibraries(ExecutionProvider.TensorRT, folder).Reverse())  // the CUDA provider first
        {
            bool cudaProvider = Path.GetFileName(file).Contains("providers_cuda", StringComparison.Ordinal);
            foreach (string name in NativeImports.Read(file))
            {
                if (NativeDependency.Parse(name) is not { } d || all.Contains(d)) continue;
                if (provider == ExecutionProvider.TensorRT || cudaProvider || d.Family == "cuDNN") all.Add(d);
            }
        }
        return provider is ExecutionProvider.Cuda or ExecutionProvider.TensorRT ? all : [];
    }

    /// <summary>
    /// One sentence of what the build needs, e.g. "CUDA 13 (libcudart.so.13, libcublas.so.13) and cuDNN 9 (libcudnn.so.9)";
    /// null when no provider library was found to read.
    /// </summary>
    public static string? Needs(IReadOnlyList<NativeDependency> dependencies)
    {
        if (dependencies.Count == 0) return null;
        var parts = new List<string>();
        foreach (string family in new[] { "CUDA", "cuDNN", "TensorRT" })
        {
            var ofFamily = dependencies.Where(d => d.Family == family).ToList();
            if (ofFamily.Count == 0) continue;
            string major = ofFamily.FirstOrDefault(d => d.IsVersionLibrary)?.Major ?? ofFamily[0].Major;
            parts.Add($"{family} {major} ({string.Join(", ", ofFamily.Select(d => d.FileName))})");
        }
        return parts.Count switch
        {
            0 => null,
            1 => parts[0],
            _ => string.Join(", ", parts[..^1]) + " and " + parts[^1],
        };
    }

    /// <summary>The dependencies that this machine's loader cannot find (tried with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>).</summary>
    public static IReadOnlyList<NativeDependency> Missing(IReadOnlyList<NativeDependency> dependencies)
    {
        var missing = new List<NativeDependency>();
        foreach (NativeDependency d in dependencies)
        {
            if (NativeLibrary.TryLoad(d.FileName, out IntPtr handle)) NativeLibrary.Free(handle);
            else missing.Add(d);
        }
        return missing;
    }
}

/// <summary>A GPU runtime library a provider library needs: its file name, family (CUDA, cuDNN, TensorRT) and major version.</summary>
public sealed partial record NativeDependency(string FileName, string Family, string Major)
{
    /// <summary>Whether this is the library whose major version is the family's version (libcudart, libcudnn, libnvinfer).</summary>
    public bool IsVersionLibrary => FileName.Contains("cudart", StringComparison.Ordinal) || FileName.Contains("cudnn", StringComparison.Ordinal)
        || (FileName.Contains("nvinfer", StringComparison.Ordinal) && !FileName.Contains("plugin", StringComparison.Ordinal));

    /// <summary>Parses a library file name such as libcublas.so.13 or cudnn64_9.dll; null for any other name.</summary>
    public static NativeDependency? Parse(string fileName)
    {
        Match m = LinuxName().Match(fileName);
        if (!m.Success) m = WindowsName().Match(fileName);
        if (!m.Success) return null;
        string stem = m.Groups["stem"].Value;
        string family = stem == "cuda" ? Driver
            : stem.StartsWith("cudnn", StringComparison.Ordinal) ? "cuDNN"
            : stem.StartsWith("nvinfer", StringComparison.Ordinal) || stem.StartsWith("nvonnxparser", StringComparison.Ordinal) ? "TensorRT"
            : "CUDA";
        return new NativeDependency(fileName, family, m.Groups["major"].Value);
    }

    /// <summary>The family of libcuda.so.1, the NVIDIA driver's library (not part of the CUDA toolkit's version).</summary>
    public const string Driver = "NVIDIA driver";

    [GeneratedRegex(@"^lib(?<stem>cuda|cudart|cublasLt|cublas|curand|cufft|cudnn|nvinfer|nvinfer_plugin|nvonnxparser)\.so\.(?<major>\d+)$")]
    private static partial Regex LinuxName();

    [GeneratedRegex(@"^(?<stem>cudart|cublasLt|cublas|curand|cufft|cudnn|nvinfer|nvinfer_plugin|nvonnxparser)(64)?_(?<major>\d+)\.dll$")]
    private static partial Regex WindowsName();
}
