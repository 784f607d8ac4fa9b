using System.Text.Json;
using Vae.Inference;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>A two-layer VampPrior model through train, evaluate, export and the commands that use the exported model
/// (pictures, scores, the ML.NET embedding).</summary>
public class HierarchicalCommandTests
{
    private static readonly Lazy<(string Run, string Model)> Trained = new(TrainAndExport, LazyThreadSafetyMode.ExecutionAndPublication);

    private static (string Run, string Model) TrainAndExport()
    {
        string data = RepoPaths.RequireMnist(), root = RepoPaths.NewTempFolder();
        string run = Path.Combine(root, "run"), model = Path.Combine(root, "model");
        CliRun.Setup(
            ["train", "--data", data, "--out", run, "--arch", "hierarchical", "--layers", "32:8/16:4", "--prior", "vamp", "--pseudo-inputs", "6",
             "--binarize", "--epochs", "2", "--warmup", "1", "--warmup-stagger", "1", "--free-bits", "0.05", "--limit", "1000", "--seed", "1"],
            ["export", "--checkpoint", run, "--out", model, "--data", data]);
        return (run, model);
    }

    [Fact]
    public void Train_records_the_hierarchy_and_evaluate_scores_it()
    {
        var (run, _) = Trained.Value;
        string config = File.ReadAllText(Path.Combine(run, "best", "config.json"));
        Assert.Contains("\"architecture\": \"hierarchical\"", config);
        Assert.Contains("\"prior\": \"vamp\"", config);
        Assert.Contains("\"latent_size\": 4", config);
        var (exit, output, error) = CliRun.Run("evaluate", "--model", run, "--data", RepoPaths.RequireMnist(), "--k", "20", "--limit", "50", "--json");
        Assert.True(exit == 0, error);
        using var report = JsonDocument.Parse(output);
        double elbo = report.RootElement.GetProperty("neg_elbo").GetDouble(), nll = report.RootElement.GetProperty("nll").GetDouble();
        Assert.True(nll < elbo && nll > 50, $"NLL {nll:F2}, -ELBO {elbo:F2}");
        Assert.Equal(4, report.RootElement.GetProperty("latent_size").GetInt32());
    }

    [Fact]
    public void Export_writes_the_layer_graphs_and_info_names_them()
    {
        var (_, model) = Trained.Value;
        foreach (string file in new[] { "encoder.onnx", "decoder.onnx", "encoder_1.onnx", "encoder_2.onnx", "decoder_1.onnx", "decoder_2.onnx", "prior.onnx" })
            Assert.True(File.Exists(Path.Combine(model, file)), file);
        var (exit, output, error) = CliRun.Run("info", "--model", model);
        Assert.True(exit == 0, error);
        Assert.Contains("stochastic layers: 8, 4 (from the data up); prior of the top layer: VampPrior of 6 pseudo-inputs", output);
    }

    [Fact]
    public void Pictures_scores_and_the_embedding_run_on_the_exported_model()
    {
        var (_, model) = Trained.Value;
        string data = RepoPaths.RequireMnist(), pictures = RepoPaths.NewTempFolder();
        var (exit, output, error) = CliRun.Run("generate", "--model", model, "--out", Path.Combine(pictures, "samples.png"), "--grid", "4");
        Assert.True(exit == 0, error);
        Assert.Contains("wrote", output);
        (exit, _, error) = CliRun.Run("reconstruct", "--model", model, "--data", data, "--out", Path.Combine(pictures, "reconstructions.png"));
        Assert.True(exit == 0, error);
        (exit, output, error) = CliRun.Run("cluster", "--model", model, "--data", data, "--count", "300", "--clusters", "10");
        Assert.True(exit == 0, error);

        // the library's scores of the exported model go through every layer under its VampPrior
        using VaeModel vae = VaeModel.Load(model);
        Assert.NotNull(vae.Hierarchy);
        float[] x = new float[2 * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (i * 37 % 101) < 20 ? 1f : 0f;
        AnomalyScore[] scores = vae.ScoreAnomalies(x, samples: 8, seed: 1);
        Assert.All(scores, s => Assert.True(s.NegativeLogLikelihood <= s.NegativeElbo + 1e-3 && float.IsFinite(s.NegativeLogLikelihood), s.ToString()));
    }
}
