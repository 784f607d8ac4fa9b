using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>
/// What the picture tests draw from: the committed reference pair (models/reference: 784-256-8, unconditional, made by
/// <c>make reference-model</c>), and a tiny run trained once per test run for its metrics.csv.
/// </summary>
internal static class TestModel
{
    private static readonly Lazy<string> TrainedRun = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Exported model folder (encoder.onnx, decoder.onnx) with an 8-dimensional latent, unconditional.</summary>
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "models", "reference");

    /// <summary>A run folder written by <c>vae train</c> (784-32-4, one epoch on 1,000 MNIST images; a few seconds).</summary>
    public static string Run => TrainedRun.Value;

    private static string Train()
    {
        string data = RepoPaths.RequireMnist(), run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        string[] args = ["train", "--data", data, "--out", run, "--hidden", "32", "--latent", "4", "--epochs", "1", "--limit", "1000", "--seed", "1"];
        var (exit, _, error) = CliRun.Run(args);
        if (exit != 0) throw new InvalidOperationException($"vae {string.Join(' ', args)} exited with {exit}: {error}");
        return run;
    }
}
