using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>
/// The exported model the picture tests draw from: a 784-64-8 MLP VAE trained for one epoch on 2,000 MNIST images with
/// <c>vae train</c> and exported with <c>vae export</c>, once per test run (a few seconds).
/// Once models/reference (branch issue5) is on main, <see cref="Folder"/> becomes that folder and this training goes.
/// </summary>
internal static class TestModel
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Exported model folder (encoder.onnx, decoder.onnx) with an 8-dimensional latent, unconditional.</summary>
    public static string Folder => Built.Value;

    /// <summary>The run folder of that model, with the metrics.csv that <c>vae train</c> wrote.</summary>
    public static string Run => Path.Combine(Path.GetDirectoryName(Folder)!, "run");

    private static string Build()
    {
        string data = RepoPaths.RequireMnist(), root = RepoPaths.NewTempFolder();
        string run = Path.Combine(root, "run"), model = Path.Combine(root, "model");
        Succeed("train", "--data", data, "--out", run, "--hidden", "64", "--latent", "8", "--epochs", "1", "--limit", "2000", "--seed", "1");
        Succeed("export", "--checkpoint", run, "--out", model, "--data", data);
        return model;
    }

    private static void Succeed(params string[] args)
    {
        var (exit, _, error) = CliRun.Run(args);
        if (exit != 0) throw new InvalidOperationException($"vae {string.Join(' ', args)} exited with {exit}: {error}");
    }
}
