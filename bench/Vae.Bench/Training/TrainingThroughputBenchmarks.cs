using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Bench.Training;

/// <summary>
/// The speed target, timed in one process (in-process toolchain): at batch 512 on the 784-400-20 MLP VAE,
/// <see cref="Trainer"/>'s samples/s against a bare TorchSharp loop (same model, same loss, no data pipeline:
/// the Ratio column, trainer ≥ … means Ratio ≤ 1/0.9 ≈ 1.11), and the model's training FLOP/s against the fp32
/// matmul throughput measured in the same run (the GFLOP/s column of <see cref="Matmul"/>).
/// Run: <c>dotnet run -c Release --project bench/Vae.Bench -- --filter '*TrainingThroughput*'</c> (needs <c>make data</c>);
/// the run ends with the paired measurement of <see cref="TrainingReport"/>, the headline figures
/// (<c>-- --training-quick</c> runs only that).
/// </summary>
[Config(typeof(ThroughputConfig))]
public class TrainingThroughput
{
    /// <summary>Batch size of the target.</summary>
    public const int BatchSize = 512;

    /// <summary>Training samples per invocation: 20 batches of the first MNIST training images.</summary>
    public const int Samples = 20 * BatchSize;

    /// <summary>Side of the square fp32 matmul that measures the machine's throughput, and how many run per invocation.</summary>
    public const int MatmulSize = 1024, MatmulRepeats = 20;

    /// <summary>Floating-point operations of one <see cref="Matmul"/> invocation.</summary>
    public const double MatmulFlops = 2.0 * MatmulSize * MatmulSize * MatmulSize * MatmulRepeats;

    private Dataset data = null!;

    /// <summary>The benchmark's <see cref="Samples"/> MNIST training images (after <see cref="Setup"/>).</summary>
    public Dataset Data => data;
    private Tensor x = null!;
    private Tensor a = null!, b = null!;
    private MlpVae model = null!;

    /// <summary>Training FLOPs per sample: 6 · Σ in·out over the Linear layers (forward 2, backward 4 per weight);
    /// element-wise work is left out, so the figure slightly understates the model's FLOP/s.</summary>
    public static double TrainingFlopsPerSample(nn.Module model) =>
        6.0 * model.parameters().Where(p => p.dim() == 2).Sum(p => (double)p.shape[0] * p.shape[1]);

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        data = Mnist.LoadTrain(Mnist.DefaultFolder).Take(Samples);
        x = Evaluation.ToTensor(data).flatten(1);
        torch.random.manual_seed(1);
        model = new MlpVae(new VaeConfig());
        a = randn(MatmulSize, MatmulSize);
        b = randn(MatmulSize, MatmulSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        model.Dispose();
        x.Dispose();
        a.Dispose();
        b.Dispose();
    }

    /// <summary>One epoch of the hand-written loop with a new Adam (as each <see cref="Trainer"/> invocation makes one).</summary>
    [Benchmark(Baseline = true)]
    public double BareLoop()
    {
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        return BareEpoch(optimizer);
    }

    /// <summary>The bare loop's Adam over this benchmark's model, for callers that keep one across epochs. The caller disposes it.</summary>
    public optim.Optimizer NewBareOptimizer() => optim.Adam(model.parameters(), 1e-3);

    /// <summary>One epoch of the hand-written loop: shuffle, slice, forward, −ELBO, backward, step of <paramref name="optimizer"/>.</summary>
    public double BareEpoch(optim.Optimizer optimizer)
    {
        model.train();
        using Tensor order = randperm(Samples);
        double total = 0;
        for (long start = 0; start < Samples; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            Tensor batch = x.index_select(0, order.narrow(0, start, BatchSize));
            Tensor loss = Elbo.Compute(model, model.Forward(batch), batch).Loss.sum();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
        }
        return total;
    }

    /// <summary>One epoch of <see cref="Trainer.Fit"/> on the same samples (its data pipeline included).</summary>
    [Benchmark]
    public double Trainer() =>
        new Trainer(model, new TrainOptions { Epochs = 1, BatchSize = BatchSize }).Fit(data)[0].TrainLoss;

    /// <summary><see cref="MatmulRepeats"/> fp32 matmuls of two <see cref="MatmulSize"/>² matrices.</summary>
    [Benchmark]
    public double Matmul()
    {
        double sum = 0;
        for (int i = 0; i < MatmulRepeats; i++)
        {
            using Tensor c = a.matmul(b);
            sum += c[0, 0].item<float>();
        }
        return sum;
    }

    /// <summary>Training FLOPs per sample of the benchmarked 784-400-20 model.</summary>
    public static double ModelFlopsPerSample => modelFlopsPerSample.Value;

    private static readonly Lazy<double> modelFlopsPerSample = new(() =>
    {
        using var model = new MlpVae(new VaeConfig());
        return TrainingFlopsPerSample(model);
    });

    /// <summary>In-process (the target compares figures of one process); 3 warm-up iterations so that the first benchmark does not pay the process's warm-up alone (with 1 it read 20 % slower than the second).</summary>
    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(3).WithIterationCount(10).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(new RateColumn("samples/s", m => m == nameof(Matmul) ? 0 : Samples),
                      new RateColumn("GFLOP/s", m => m == nameof(Matmul)
                          ? MatmulFlops / 1e9
                          : Samples * ModelFlopsPerSample / 1e9));
        }
    }

    /// <summary>Work per invocation divided by the mean time of an invocation.</summary>
    private sealed class RateColumn(string name, Func<string, double> workPerInvocation) : IColumn
    {
        public string Id => nameof(RateColumn) + name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => $"{name} per invocation's mean time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double work = workPerInvocation(benchmarkCase.Descriptor.WorkloadMethod.Name);
            if (work == 0 || summary[benchmarkCase]?.ResultStatistics is not { } stats) return "-";
            return (work / (stats.Mean / 1e9)).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
