using BenchmarkDotNet.Running;
using Vae.Bench.Inference;
using Vae.Bench.Training;

// `make bench` runs every benchmark; pass BenchmarkDotNet arguments after `--` to pick some,
// e.g. `dotnet run -c Release --project bench/Vae.Bench -- --filter '*Inference*'`.
// When the inference benchmarks ran, their ratios and the thread-scaling figure go to out/bench/inference.json
// (VAE_BENCH_THREAD_SECONDS: seconds per thread-scaling measurement, default 5).
// `-- --inference-quick` skips BenchmarkDotNet and writes only the paired ratios, the exact allocation per span call and thread scaling (about a minute).
// When the training throughput benchmark ran, the speed target's paired figures go to out/bench/training.json;
// `-- --training-quick` writes only those (about a minute; needs `make data`).
double seconds = double.TryParse(Environment.GetEnvironmentVariable("VAE_BENCH_THREAD_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 5;
if (args.Contains("--inference-quick"))
{
    Report(InferenceReport.Write(null, seconds));
    return;
}
if (args.Contains("--training-quick"))
{
    ReportTraining(TrainingReport.Write());
    return;
}
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
var inference = summaries.FirstOrDefault(s => s.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(InferenceBenchmarks)));
if (inference is not null) Report(InferenceReport.Write(inference, seconds));
if (summaries.Any(s => s.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(TrainingThroughput))))
    ReportTraining(TrainingReport.Write());

static void Report(System.Text.Json.Nodes.JsonObject json)
{
    Console.WriteLine($"inference ratios (library ÷ other; below 1 = library faster), written to {InferenceReport.Path}:");
    Console.WriteLine(InferenceReport.Describe(json));
}

static void ReportTraining(System.Text.Json.Nodes.JsonObject json)
{
    Console.WriteLine($"training speed target, paired rounds (median, quartiles), written to {TrainingReport.Path}:");
    Console.WriteLine(TrainingReport.Describe(json));
}
