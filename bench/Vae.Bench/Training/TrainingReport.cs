using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using Vae.Bench.Inference;
using Vae.Training;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Bench.Training;

/// <summary>
/// Writes <c>out/bench/training.json</c>: the speed target's three figures from a paired, steady-state measurement.
/// One <see cref="Trainer.Fit"/> runs <see cref="WarmUpRounds"/> + <see cref="Rounds"/> epochs over the benchmark's
/// samples; between two of its epochs (in <see cref="Trainer.OnEpoch"/>) one epoch of
/// <see cref="TrainingThroughput.BareEpoch"/> (its own copy of the model and one Adam kept across epochs, as the trainer
/// keeps its own) and one <see cref="TrainingThroughput.Matmul"/>
/// run. A trainer epoch is timed from the end of one callback to the start of the next, so it holds everything the
/// trainer does per epoch (shuffle, batch gathering, progress, metrics) and nothing of the bare loop's. Each figure is
/// the median over rounds of that round's ratio, with its quartiles: load from other processes, which drifts over
/// seconds, hits all three alike. The BenchmarkDotNet cases instead call <c>Fit</c> once per 20-batch invocation,
/// so they also charge the trainer's once-per-run set-up (copying the data into a tensor, the optimiser) to
/// every 20 batches, and separate cases run minutes apart.
/// </summary>
internal static class TrainingReport
{
    /// <summary>Timed rounds (one round takes about a second on the 2-core machine).</summary>
    public const int Rounds = 40;

    /// <summary>Untimed rounds first, so that every contestant runs with a warm JIT and allocator.</summary>
    public const int WarmUpRounds = 3;

    public static string Path => System.IO.Path.Combine(BenchPaths.Output, "training.json");

    public static JsonObject Write()
    {
        var bench = new TrainingThroughput();
        bench.Setup();
        try
        {
            torch.random.manual_seed(1);
            using var trainerModel = new MlpVae(new VaeConfig());
            // Both sides keep one optimiser across epochs, as a training run does.
            using torch.optim.Optimizer bareOptimizer = bench.NewBareOptimizer();
            var trainer = new double[Rounds];
            var bare = new double[Rounds];
            var matmul = new double[Rounds];
            var clock = Stopwatch.StartNew();
            double callbackEnd = 0;
            void Between(EpochMetrics epoch)
            {
                int r = epoch.Epoch - 1 - WarmUpRounds;
                double start = clock.Elapsed.TotalSeconds;
                double bareSeconds = Time(() => bench.BareEpoch(bareOptimizer));
                double matmulSeconds = Time(() => bench.Matmul());
                if (r >= 0)
                {
                    trainer[r] = start - callbackEnd;
                    bare[r] = bareSeconds;
                    matmul[r] = matmulSeconds;
                }
                callbackEnd = clock.Elapsed.TotalSeconds;
            }
            var options = new TrainOptions { Epochs = WarmUpRounds + Rounds, BatchSize = TrainingThroughput.BatchSize };
            callbackEnd = clock.Elapsed.TotalSeconds;
            new Trainer(trainerModel, options) { OnEpoch = Between }.Fit(bench.Data);

            double flopsPerEpoch = TrainingThroughput.Samples * TrainingThroughput.ModelFlopsPerSample;
            var json = new JsonObject();
            Add(json, "trainer_vs_bare_samples_per_s", Per(r => bare[r] / trainer[r]));
            Add(json, "model_vs_matmul_flops", Per(r => flopsPerEpoch / trainer[r] / (TrainingThroughput.MatmulFlops / matmul[r])));
            Add(json, "trainer_samples_per_s", Per(r => TrainingThroughput.Samples / trainer[r]));
            Add(json, "bare_samples_per_s", Per(r => TrainingThroughput.Samples / bare[r]));
            Add(json, "trainer_gflops", Per(r => flopsPerEpoch / trainer[r] / 1e9));
            Add(json, "matmul_gflops", Per(r => TrainingThroughput.MatmulFlops / matmul[r] / 1e9));
            json["rounds"] = Rounds;
            json["targets"] = "trainer_vs_bare_samples_per_s >= 0.9; model_vs_matmul_flops >= 0.55";
            json["setup"] = $"batch {TrainingThroughput.BatchSize}, 784-400-20 MLP VAE, {TrainingThroughput.Samples} MNIST training images per epoch, " +
                            $"matmul {TrainingThroughput.MatmulRepeats} × {TrainingThroughput.MatmulSize}² fp32, {torch.get_num_threads()} TorchSharp threads, wall clock";
            json["machine"] = $"{Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
            Directory.CreateDirectory(BenchPaths.Output);
            AtomicFile.WriteAllText(Path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            return json;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>One line per figure: median and quartiles.</summary>
    public static string Describe(JsonObject json) => string.Join(Environment.NewLine,
        json.Where(p => p.Value is JsonObject).Select(p => $"  {p.Key}: {p.Value!["median"]} (quartiles {p.Value["q1"]} – {p.Value["q3"]})"));

    private static double[] Per(Func<int, double> figure) => Enumerable.Range(0, Rounds).Select(figure).ToArray();

    private static void Add(JsonObject json, string key, double[] values)
    {
        double[] sorted = values.Order().ToArray();
        json[key] = new JsonObject
        {
            ["median"] = Round(sorted[sorted.Length / 2]),
            ["q1"] = Round(sorted[sorted.Length / 4]),
            ["q3"] = Round(sorted[3 * sorted.Length / 4]),
        };
    }

    private static double Round(double v) => Math.Round(v, v >= 10 ? 1 : 3);
}
