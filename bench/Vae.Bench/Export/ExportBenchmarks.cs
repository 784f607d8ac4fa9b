using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Bench.Export;

/// <summary>
/// Export time of the PyTorch-example VAE (784-400-20), after warm-up: building both graphs, verifying them in
/// ONNX Runtime against TorchSharp (random and real inputs at batch 1 and 37), and writing the folder.
/// Target: ≤ 1 s for the whole export. Runs in process (TorchSharp's native libraries are already loaded).
/// <c>dotnet run -c Release --project bench/Vae.Bench -- --filter '*ExportBenchmarks*'</c>
/// </summary>
[Config(typeof(InProcessConfig))]
public class ExportBenchmarks
{
    private MlpVae model = null!;
    private Tensor? realSamples;
    private Tensor? realLabels;
    private string folder = "";
    private (byte[] Encoder, byte[] Decoder) graphs;

    [GlobalSetup]
    public void Setup()
    {
        torch.random.manual_seed(1);
        model = new MlpVae(new VaeConfig { HiddenSizes = [400], LatentSize = 20 });
        string mnist = Path.Combine(FindRoot(), "data", "mnist");
        if (File.Exists(Path.Combine(mnist, "t10k-images-idx3-ubyte")))
        {
            Dataset test = Mnist.LoadTest(mnist, verify: false).Take(64);
            realSamples = Trainer.ToTensor(test);
            realLabels = tensor(test.Labels!.Select(l => (long)l).ToArray());
        }
        folder = Path.Combine(Path.GetTempPath(), "vae-bench-export", Guid.NewGuid().ToString("N"));
        graphs = VaeOnnxGraphs.Build(model, new ExportOptions());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        model.Dispose();
        realSamples?.Dispose();
        realLabels?.Dispose();
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>The whole <c>vae export</c>: build, verify, write encoder.onnx, decoder.onnx, model.json, reference.json.</summary>
    [Benchmark(Baseline = true)]
    public double ExportWithVerification() => VaeExporter.Export(model, folder, new ExportOptions(), realSamples, realLabels).MaxAbsDifference;

    /// <summary>Building both graphs in memory (walk, shape probes, protobuf).</summary>
    [Benchmark]
    public int BuildGraphs()
    {
        var (encoder, decoder) = VaeOnnxGraphs.Build(model, new ExportOptions());
        return encoder.Length + decoder.Length;
    }

    /// <summary>Verification alone: two ONNX Runtime sessions, 8 encoder and 16 decoder comparisons.</summary>
    [Benchmark]
    public double Verify() => OnnxExportVerifier.Verify(model, graphs.Encoder, graphs.Decoder, ExportOptions.DefaultTolerance, realSamples, realLabels);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "pipeline.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(3).WithIterationCount(10).WithInvocationCount(1).WithUnrollFactor(1));
    }
}
