namespace Vae.Inference.Tests;

/// <summary>Execution providers on the CPU build of ONNX Runtime: Auto falls back, strict requests explain what is missing.</summary>
public class ProviderTests
{
    [Fact]
    public void The_cpu_build_offers_only_the_cpu_provider()
    {
        Assert.Contains("CPUExecutionProvider", VaeModel.AvailableProviders());
        Assert.DoesNotContain("CUDAExecutionProvider", VaeModel.AvailableProviders());
    }

    [Fact]
    public void Auto_falls_back_to_cpu_and_reports_why()
    {
        using var model = ReferenceModel.Load(new VaeSessionOptions { Provider = ExecutionProvider.Auto });
        Assert.Equal(ExecutionProvider.Cpu, model.Provider);
        Assert.Contains("using Cpu", model.ProviderReport);
        Assert.Contains("Cuda: not in this ONNX Runtime build", model.ProviderReport);
        Assert.Contains("DirectML: not in this ONNX Runtime build", model.ProviderReport);
        using var cpu = ReferenceModel.Load();
        float[] x = ReferenceModel.Data.X[0];
        Assert.Equal(cpu.Encode(x).Mean, model.Encode(x).Mean);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cuda, "CUDAExecutionProvider", "Microsoft.ML.OnnxRuntime.Gpu.Linux", "CUDA and cuDNN versions")]
    [InlineData(ExecutionProvider.TensorRT, "TensorrtExecutionProvider", "Microsoft.ML.OnnxRuntime.Gpu.Linux", "TensorRT versions")]
    [InlineData(ExecutionProvider.DirectML, "DmlExecutionProvider", "Microsoft.ML.OnnxRuntime.DirectML", "DirectX 12")]
    public void Strict_gpu_request_on_the_cpu_build_names_the_provider_the_package_at_the_loaded_version_and_the_needs(
        ExecutionProvider provider, string ortName, string package, string requirement)
    {
        var e = Assert.Throws<ExecutionProviderException>(() => ReferenceModel.Load(new VaeSessionOptions { Provider = provider, DeviceId = 1 }));
        Assert.Equal(provider, e.Provider);
        Assert.Contains(ortName, e.Message);
        Assert.Contains($"{package} {OrtBuild.Version}", e.Message);
        Assert.Contains($"not in the loaded ONNX Runtime {OrtBuild.Version} build", e.Message);
        Assert.Contains(requirement, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.DoesNotContain("vae ", e.Message);
    }

    [Fact]
    public void The_loaded_build_is_the_cpu_package_at_the_version_every_ort_package_is_pinned_to()
    {
        Assert.Equal(PinnedOrtVersion(), OrtBuild.Version);
        Assert.Equal(["CPUExecutionProvider"], OrtBuild.Providers.ToArray());
        string? folder = OrtBuild.NativeFolder();
        Assert.NotNull(folder);
        Assert.True(File.Exists(Path.Combine(folder, OperatingSystem.IsWindows() ? "onnxruntime.dll" : "libonnxruntime.so")), folder);
        Assert.Empty(OrtBuild.ProviderLibraries(ExecutionProvider.Cuda));
    }

    /// <summary>The one version Directory.Packages.props gives every Microsoft.ML.OnnxRuntime package.</summary>
    internal static string PinnedOrtVersion()
    {
        string props = File.ReadAllText(Path.Combine(Vae.Tests.RepoPaths.Root, "Directory.Packages.props"));
        var versions = System.Text.RegularExpressions.Regex.Matches(props, @"Include=""Microsoft\.ML\.OnnxRuntime[^""]*"" Version=""([^""]+)""")
            .Select(m => m.Groups[1].Value).Distinct().ToArray();
        return Assert.Single(versions);
    }

    [Fact]
    public void Non_strict_request_falls_back_to_cpu_with_the_reason()
    {
        using var model = ReferenceModel.Load(new VaeSessionOptions { Provider = ExecutionProvider.Cuda, Strict = false });
        Assert.Equal(ExecutionProvider.Cpu, model.Provider);
        Assert.Contains("Cuda: execution provider Cuda", model.ProviderReport);
    }

    [Fact]
    public void Session_options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => ReferenceModel.Load(new VaeSessionOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentException>(() => ReferenceModel.Load(new VaeSessionOptions { DeviceId = -2 }));
        Assert.Throws<ArgumentException>(() => ReferenceModel.Load(new VaeSessionOptions { Provider = (ExecutionProvider)42 }));
    }

    [Fact]
    public void Thread_counts_beyond_the_documented_maximum_are_refused_before_onnx_runtime_starts_them()
    {
        // 100,000 went to ONNX Runtime, which started OS threads for minutes (4,096 did not load in five).
        var tooMany = new VaeSessionOptions { IntraOpThreads = 100_000 };
        var e = Assert.Throws<ArgumentException>(() => tooMany.Validate());
        Assert.Equal("IntraOpThreads", e.ParamName);
        Assert.Contains("IntraOpThreads is 100000; expected 0 (automatic) to 1024 threads", e.Message);
        e = Assert.Throws<ArgumentException>(() => ReferenceModel.Load(tooMany));
        Assert.Equal("IntraOpThreads", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ReferenceModel.Load(new VaeSessionOptions { IntraOpThreads = VaeSessionOptions.MaxThreads + 1 }));
        Assert.Contains("IntraOpThreads is 1025;", e.Message);
        var most = new VaeSessionOptions { IntraOpThreads = VaeSessionOptions.MaxThreads };
        Assert.Same(most, most.Validate());
    }

    [Fact]
    public void Session_options_change_nothing_in_the_results()
    {
        using var tuned = ReferenceModel.Load(new VaeSessionOptions
        {
            IntraOpThreads = 1, AllowSpinning = false,
            OptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
        });
        float[] x = ReferenceModel.Flat(ReferenceModel.Data.X);
        var (mean, _) = tuned.Encode(x);
        Assert.InRange(ReferenceModel.MaxDiff(mean, ReferenceModel.Flat(ReferenceModel.Data.Mean)), 0, 1e-5f);
    }
}
