using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>
/// What the command tests draw from: the committed reference pair (models/reference: 784-256-8, unconditional, made by
/// <c>make reference-model</c>), a tiny run trained once per test run for its metrics.csv, and a tiny conditional model
/// trained and exported once per test run.
/// </summary>
internal static class TestModel
{
    private static readonly Lazy<string> TrainedRun = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> ConditionalModel = new(TrainAndExportConditional, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Exported model folder (encoder.onnx, decoder.onnx) with an 8-dimensional latent, unconditional.</summary>
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "models", "reference");

    /// <summary>A run folder written by <c>vae train</c> (784-32-4, one epoch on 1,000 MNIST images; a few seconds).</summary>
    public static string Run => TrainedRun.Value;

    /// <summary>
    /// An exported conditional model folder that <c>vae train --conditional</c> and <c>vae export</c> made in this test run
    /// (784-32-4, 10 classes, one epoch on 1,000 MNIST images).
    /// </summary>
    public static string Conditional => ConditionalModel.Value;

    private static string Train()
    {
        string data = RepoPaths.RequireMnist(), run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(["train", "--data", data, "--out", run, "--hidden", "32", "--latent", "4", "--epochs", "1", "--limit", "1000", "--seed", "1"]);
        return run;
    }

    private static string TrainAndExportConditional()
    {
        string data = RepoPaths.RequireMnist(), root = RepoPaths.NewTempFolder();
        string run = Path.Combine(root, "run"), model = Path.Combine(root, "model");
        CliRun.Setup(
            ["train", "--data", data, "--out", run, "--conditional", "--hidden", "32", "--latent", "4", "--epochs", "1", "--limit", "1000", "--seed", "1"],
            ["export", "--checkpoint", run, "--out", model, "--data", data]);
        return model;
    }
}
