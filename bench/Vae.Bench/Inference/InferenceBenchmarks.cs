using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Bench.Inference;

/// <summary>
/// Vae.Inference's span path against the minimal raw ONNX Runtime call and against TorchSharp eager mode, on the
/// committed reference model (784-256-8), same session options (one intra-op thread, so the 2-core machine's
/// other load disturbs less), same process. <see cref="InferenceReport"/> turns the results into ratios.
/// </summary>
[Config(typeof(Config))]
public class InferenceBenchmarks
{
    /// <summary>In-process (no per-benchmark project build); iterations from VAE_BENCH_ITERATIONS (default 15).</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("VAE_BENCH_ITERATIONS"), out int n) && n > 2 ? n : 15;
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(iterations).WithId("inference"));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }

    /// <summary>The session options shared by the library and the raw call.</summary>
    public static readonly VaeSessionOptions Options = new() { IntraOpThreads = 1 };

    [Params(1, 256)]
    public int Batch { get; set; }

    private VaeModel model = null!, modelUnchecked = null!;
    private RawOrtCall rawEncoder = null!, rawDecoder = null!;
    private VaeModule twin = null!;
    private Tensor xTensor = null!, zTensor = null!;
    private float[] x = null!, mean = null!, logvar = null!, z = null!, output = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = VaeModel.Load(BenchPaths.ReferenceModel, Options);
        modelUnchecked = VaeModel.Load(BenchPaths.ReferenceModel, Options with { AllowNonFinite = true });
        int d = model.InputSize, l = model.LatentSize;
        x = new float[Batch * d];
        var random = new Random(1);
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        mean = new float[Batch * l];
        logvar = new float[Batch * l];
        z = new float[Batch * l];
        VaeModel.SampleLatent(z, seed: 1);
        output = new float[Batch * d];

        using SessionOptions sessionOptions = Options.ToSessionOptions(ExecutionProvider.Cpu);
        rawEncoder = new RawOrtCall(Path.Combine(BenchPaths.ReferenceModel, VaeModel.EncoderFile), sessionOptions,
            [(VaeGraphNames.X, x, [Batch, d])], [(VaeGraphNames.Mean, new float[Batch * l], [Batch, l]), (VaeGraphNames.Logvar, new float[Batch * l], [Batch, l])]);
        // the raw call fetches what the library's Decode returns: the graph's probabilities (exported by default), or
        // its logits for a pair exported with --logits-only (whose Decode then also applies a managed sigmoid)
        string decoded = model.DecoderHasProbabilities ? VaeGraphNames.Probs : VaeGraphNames.Logits;
        rawDecoder = new RawOrtCall(Path.Combine(BenchPaths.ReferenceModel, VaeModel.DecoderFile), sessionOptions,
            [(VaeGraphNames.Z, z, [Batch, l])], [(decoded, new float[Batch * d], [Batch, d])]);

        torch.set_num_threads(1);
        twin = TorchSharpTwin.Load(BenchPaths.ReferenceModel);
        xTensor = torch.tensor(x).reshape(Batch, 1, 28, 28);
        zTensor = torch.tensor(z).reshape(Batch, l);
        CheckSameModel();
    }

    /// <summary>The three contestants must compute the same thing before their speed means anything.</summary>
    private void CheckSameModel()
    {
        EncodeLibrary();
        float[] libraryMean = (float[])mean.Clone();
        EncodeTorchSharp();
        DecodeLibrary();
        float[] libraryOutput = (float[])output.Clone();
        DecodeTorchSharp();
        float worst = Math.Max(MaxDiff(libraryMean, mean), MaxDiff(libraryOutput, output));
        if (worst > 1e-4f) throw new InvalidOperationException($"TorchSharp twin differs from the ONNX model by {worst}; the comparison would be meaningless.");
    }

    private static float MaxDiff(float[] a, float[] b) => a.Zip(b).Max(p => MathF.Abs(p.First - p.Second));

    [GlobalCleanup]
    public void Cleanup()
    {
        model.Dispose();
        modelUnchecked.Dispose();
        rawEncoder.Dispose();
        rawDecoder.Dispose();
        twin.Dispose();
        xTensor.Dispose();
        zTensor.Dispose();
    }

    [Benchmark(Description = "encode library")]
    public void EncodeLibrary() => model.Encode(x, mean, logvar);

    /// <summary>Encode without the finite check on x (<see cref="VaeSessionOptions.AllowNonFinite"/>): what that check costs. Paired measurement only.</summary>
    public void EncodeLibraryUnchecked() => modelUnchecked.Encode(x, mean, logvar);

    [Benchmark(Description = "encode raw")]
    public void EncodeRaw() => rawEncoder.Run();

    [Benchmark(Description = "encode torchsharp")]
    public void EncodeTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (m, lv) = twin.Encode(xTensor);
        m.data<float>().CopyTo(mean);
        lv.data<float>().CopyTo(logvar);
    }

    [Benchmark(Description = "decode library")]
    public void DecodeLibrary() => model.Decode(z, output);

    [Benchmark(Description = "decode raw")]
    public void DecodeRaw() => rawDecoder.Run();

    [Benchmark(Description = "decode torchsharp")]
    public void DecodeTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        twin.Decode(zTensor).sigmoid().data<float>().CopyTo(output);
    }
}
