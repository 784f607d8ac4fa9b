using System.Text.Json;
using TorchSharp;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Cli.Tests;

/// <summary><c>vae evaluate --json</c> on the tiny run <see cref="TestModel.Run"/> that <c>vae train</c> wrote.</summary>
public class EvaluateCommandTests
{
    [Fact]
    public void Json_reports_the_requested_subset_and_a_bound_no_looser_than_the_elbo()
    {
        var (exit, output, error) = CliRun.Run("evaluate", "--model", TestModel.Run, "--data", RepoPaths.RequireMnist(),
                                               "--k", "64", "--limit", "200", "--seed", "3", "--json");
        Assert.True(exit == 0, $"vae evaluate exited with {exit}: {error}");
        using JsonDocument json = JsonDocument.Parse(output.Trim());
        JsonElement root = json.RootElement;
        Assert.Equal(64, root.GetProperty("k").GetInt32());
        Assert.Equal(200, root.GetProperty("test_count").GetInt32());
        Assert.InRange(root.GetProperty("active_units").GetInt32(), 0, 4);
        double negElbo = root.GetProperty("neg_elbo").GetDouble(), nll = root.GetProperty("nll").GetDouble();
        Assert.True(double.IsFinite(nll) && nll > 0, $"nll {nll}");
        // The importance-weighted bound with 64 samples is tighter than the ELBO (Burda et al., 2016).
        Assert.True(nll < negElbo, $"nll {nll} not below −ELBO {negElbo}");
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("train")]
    public void A_negative_limit_is_refused_instead_of_meaning_all(string command)
    {
        string run = RepoPaths.NewTempFolder();
        string[] args = command == "evaluate" ? ["evaluate", "--model", TestModel.Run] : ["train", "--out", run, "--epochs", "1"];
        Assert.Equal("error: --limit is -1; expected at least 0.", CliRun.Failure([.. args, "--data", RepoPaths.RequireMnist(), "--limit", "-1"]));
        Assert.Empty(Directory.GetFileSystemEntries(run));
    }

    [Fact]
    public void A_folder_without_a_checkpoint_is_a_clear_error()
    {
        string empty = RepoPaths.NewTempFolder();
        Assert.Contains(empty, CliRun.Failure("evaluate", "--model", empty, "--data", RepoPaths.RequireMnist()));
    }

    [Fact]
    public void Json_of_a_model_with_nan_weights_writes_the_non_finite_figures_as_named_strings_and_warns()
    {
        // A diverged model's figures are NaN; System.Text.Json refuses to write NaN as a number, so --json used to
        // crash. Now they are written as "NaN", "Infinity" or "-Infinity" and stderr names them.
        string folder = RepoPaths.NewTempFolder(), checkpoint = Path.Combine(folder, "broken"), csv = Path.Combine(folder, "test.csv");
        using (var model = new MlpVae(new VaeConfig { InputShape = [12], HiddenSizes = [8], LatentSize = 2 }))
        {
            using (torch.no_grad())
                foreach (var p in model.parameters()) p.fill_(float.NaN);
            Checkpoint.Save(model, checkpoint);
        }
        File.WriteAllLines(csv, Enumerable.Range(0, 20).Select(i => string.Join(',', Enumerable.Range(0, 12).Select(j => (i + j) % 2))));

        var (exit, output, error) = CliRun.Run("evaluate", "--model", checkpoint, "--data", csv, "--k", "4", "--json");

        Assert.True(exit == 0, $"vae evaluate exited with {exit}: {error}");
        using JsonDocument json = JsonDocument.Parse(output.Trim());
        JsonElement root = json.RootElement;
        foreach (string figure in new[] { "neg_elbo", "reconstruction", "kl", "nll", "reconstruction_mse", "neg_elbo_unbinarized" })
            Assert.Equal("NaN", root.GetProperty(figure).GetString());
        Assert.Equal(20, root.GetProperty("test_count").GetInt32());
        Assert.Contains("warning: neg_elbo, reconstruction, kl, nll, reconstruction_mse, neg_elbo_unbinarized are not finite", error);
        // the object reads back into the report with the same NaNs
        TestReport report = JsonSerializer.Deserialize<TestReport>(output)!;
        Assert.True(double.IsNaN(report.Nll) && double.IsNaN(report.NegElboUnbinarized!.Value), output);
    }
}

/// <summary><c>vae evaluate</c> of an exported pair (ONNX Runtime) against its checkpoint (TorchSharp), same data and seed.</summary>
public class EvaluateExportedModelTests
{
    [Fact]
    public void An_exported_folder_is_evaluated_through_onnx_runtime_and_agrees_with_its_checkpoint_within_sampling_error()
    {
        string folder = RepoPaths.NewTempFolder(), model = Path.Combine(folder, "model"), csv = Path.Combine(folder, "binary.csv");
        CliRun.Setup(["export", "--checkpoint", TestModel.Run, "--out", model, "--data", RepoPaths.RequireMnist()]);
        // pixels already 0 or 1: both paths binarise them to themselves, so only the z draws differ between the two
        Vae.Training.Data.Dataset digits = Vae.Training.Data.Mnist.LoadTest(RepoPaths.RequireMnist()).Take(300);
        File.WriteAllLines(csv, Enumerable.Range(0, digits.Count).Select(i =>
            string.Join(',', digits.Features.AsSpan(i * 784, 784).ToArray().Select(v => v >= 0.5f ? "1" : "0"))));
        string[] args = ["--data", csv, "--shape", "1,28,28", "--k", "64", "--seed", "3", "--json"];

        TestReport torch = Report(CliRun.Run(["evaluate", "--model", TestModel.Run, .. args]));
        TestReport onnx = Report(CliRun.Run(["evaluate", "--model", model, .. args]));

        Assert.Equal((300L, 64, true, 3L), (onnx.TestCount, onnx.K, onnx.Binarized, onnx.Seed));
        Assert.Equal(torch.ActiveUnits, onnx.ActiveUnits);
        Assert.Equal(torch.ReconstructionMse, onnx.ReconstructionMse, 1e-6);   // deterministic: decoded from the posterior mean
        // The two reports differ only by their z draws. The standard error of the difference of two such means is
        // √(mean of d² / n), d the per-sample difference between two independent scorings (its variance is twice one's).
        using var pair = Vae.Inference.VaeModel.Load(model);
        float[] x = File.ReadAllLines(csv).SelectMany(l => l.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        double Bound(int k, Func<Vae.Inference.AnomalyScore, float> figure)
        {
            var (a, b) = (pair.ScoreAnomalies(x, k, seed: 11), pair.ScoreAnomalies(x, k, seed: 12));
            return 4 * Math.Sqrt(a.Zip(b).Average(p => Math.Pow(figure(p.First) - figure(p.Second), 2)) / a.Length);
        }
        double elbo = Bound(1, s => s.NegativeElbo), nll = Bound(64, s => s.NegativeLogLikelihood);
        Assert.InRange(onnx.NegElbo - torch.NegElbo, -elbo, elbo);
        Assert.InRange(onnx.NegElboUnbinarized!.Value - torch.NegElboUnbinarized!.Value, -elbo, elbo);
        Assert.InRange(onnx.Nll - torch.Nll, -nll, nll);
        Assert.True(onnx.Nll < onnx.NegElbo, $"nll {onnx.Nll} not below −ELBO {onnx.NegElbo}");
    }

    [Fact]
    public void The_text_report_of_an_exported_folder_names_onnx_runtime()
    {
        var (exit, output, error) = CliRun.Run("evaluate", "--model", TestModel.Folder, "--data", RepoPaths.RequireMnist(), "--k", "4", "--limit", "50");
        Assert.True(exit == 0, $"vae evaluate exited with {exit}: {error}");
        Assert.Contains($"model: mlp input [784] → 8, bernoulli ({TestModel.Folder}, through ONNX Runtime)", output);
        Assert.Contains("NLL (k=4)", output);
    }

    private static TestReport Report((int Exit, string Output, string Error) run)
    {
        Assert.True(run.Exit == 0, $"vae evaluate exited with {run.Exit}: {run.Error}");
        return JsonSerializer.Deserialize<TestReport>(run.Output)!;
    }
}
