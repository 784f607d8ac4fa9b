using System.Text.Json;
using System.Text.RegularExpressions;
using Vae.Inference;

namespace Vae.Server.Tests;

/// <summary>
/// One inference library on ONNX Runtime's managed package; each application brings exactly one native build, all
/// at one version; the GPU build's CUDA provider on a machine without CUDA fails in one line that names the CUDA
/// major version its provider library links against.
/// </summary>
public class PackagingTests
{
    private static readonly Regex OrtPackage = new(@"^(Microsoft\.ML\.OnnxRuntime(\.[A-Za-z.]+)?)/(.+)$");

    /// <summary>The ONNX Runtime packages (id → version) in an application's deps.json.</summary>
    private static Dictionary<string, string> OrtPackages(string depsJson)
    {
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsJson));
        var found = new Dictionary<string, string>();
        foreach (JsonProperty library in deps.RootElement.GetProperty("libraries").EnumerateObject())
            if (OrtPackage.Match(library.Name) is { Success: true } m) found[m.Groups[1].Value] = m.Groups[3].Value;
        return found;
    }

    [Fact]
    public void The_inference_library_depends_on_the_managed_package_only()
    {
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vae.Server.Tests.deps.json")));
        JsonElement targets = deps.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        JsonElement inference = targets.EnumerateObject().First(t => t.Name.StartsWith("Vae.Inference/", StringComparison.Ordinal)).Value;
        string[] dependencies = [.. inference.GetProperty("dependencies").EnumerateObject().Select(d => d.Name)];
        Assert.Equal(["Microsoft.ML.OnnxRuntime.Managed"], dependencies);
    }

    [Fact]
    public void This_test_app_runs_the_library_on_the_cpu_natives_it_references()
    {
        Assert.Equal("1", OrtPackages(Path.Combine(AppContext.BaseDirectory, "Vae.Server.Tests.deps.json")).Keys.Count(k => k is "Microsoft.ML.OnnxRuntime" or "Microsoft.ML.OnnxRuntime.Gpu.Linux" or "Microsoft.ML.OnnxRuntime.Gpu.Windows" or "Microsoft.ML.OnnxRuntime.DirectML").ToString());
        using VaeModel model = VaeModel.Load(Path.Combine(RepoPaths.Root, "models", "reference"));
        Assert.Equal(ExecutionProvider.Cpu, model.Provider);
        Assert.Equal(8, model.Encode(new float[784]).Mean.Length);
    }

    [Fact]
    public void The_cpu_and_gpu_apps_resolve_one_onnx_runtime_version_with_one_native_package_each()
    {
        var cpu = OrtPackages(Path.Combine(ServeApps.Output("Vae.Serve"), "vae-serve.deps.json"));
        var gpu = OrtPackages(Path.Combine(ServeApps.Output("Vae.Serve.Gpu"), "vae-serve.deps.json"));
        Assert.Equal(["Microsoft.ML.OnnxRuntime", "Microsoft.ML.OnnxRuntime.Managed"], cpu.Keys.Order().ToArray());
        Assert.Equal([OperatingSystem.IsWindows() ? "Microsoft.ML.OnnxRuntime.Gpu.Windows" : "Microsoft.ML.OnnxRuntime.Gpu.Linux", "Microsoft.ML.OnnxRuntime.Managed"],
            gpu.Keys.Order().ToArray());
        string[] versions = [.. cpu.Values.Concat(gpu.Values).Distinct()];
        Assert.Equal([OrtBuild.Version], versions);
    }

    [Fact]
    public void The_gpu_apps_cuda_provider_without_cuda_fails_in_one_line_naming_the_cuda_major_its_provider_links()
    {
        string provider = Path.Combine(ServeApps.Output("Vae.Serve.Gpu"), "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so");
        Assert.True(OperatingSystem.IsLinux() && File.Exists(provider), $"expected the GPU build's CUDA provider at {provider}");
        string cudaMajor = ReadelfCudartMajor(provider);
        bool machineHasCuda = System.Runtime.InteropServices.NativeLibrary.TryLoad($"libcudart.so.{cudaMajor}", out nint handle);
        if (machineHasCuda)
        {
            System.Runtime.InteropServices.NativeLibrary.Free(handle);
            return;  // a CUDA machine: this failure cannot happen here (the GPU benchmark in docs/providers.md covers it)
        }
        var (exit, stdout, stderr) = ServeApps.Run("Vae.Serve.Gpu", TimeSpan.FromMinutes(2),
            "bench", "--model", "models/reference", "--provider", "cuda");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("error: execution provider Cuda (CUDAExecutionProvider, device 0)", line);
        Assert.Contains($"needs CUDA {cudaMajor} (", line);
        Assert.Contains($"libcudart.so.{cudaMajor}", line);
        Assert.Contains($"ONNX Runtime {OrtBuild.Version} build", line);
        Assert.DoesNotContain("   at ", line);
    }

    /// <summary>The major version of libcudart in the provider's DT_NEEDED entries, read by binutils' readelf (an independent reader).</summary>
    private static string ReadelfCudartMajor(string library)
    {
        var start = new System.Diagnostics.ProcessStartInfo("readelf", ["-d", library]) { RedirectStandardOutput = true };
        using var readelf = System.Diagnostics.Process.Start(start)!;
        string text = readelf.StandardOutput.ReadToEnd();
        readelf.WaitForExit();
        Match m = Regex.Match(text, @"\(NEEDED\)\s+Shared library: \[libcudart\.so\.(\d+)\]");
        Assert.True(m.Success, $"readelf -d {library} lists no libcudart.so.N");
        return m.Groups[1].Value;
    }
}
