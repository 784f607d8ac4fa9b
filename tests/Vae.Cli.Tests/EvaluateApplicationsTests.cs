using System.Globalization;
using System.Text.Json;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Missing;
using Vae.Training.Training;

namespace Vae.Cli.Tests;

/// <summary><c>vae evaluate --noise / --mask</c> and the conditional figures, on tiny runs trained in the test run.</summary>
public class EvaluateApplicationsTests
{
    private readonly string folder = RepoPaths.NewTempFolder();

    private static JsonElement Evaluate(params string[] args)
    {
        var (exit, output, error) = CliRun.Run(["evaluate", .. args, "--json"]);
        Assert.True(exit == 0, $"vae evaluate exited with {exit}: {error}");
        return JsonDocument.Parse(output.Trim()).RootElement.Clone();
    }

    [Fact]
    public void Noise_and_mask_add_denoising_and_imputation_figures()
    {
        JsonElement root = Evaluate("--model", TestModel.Run, "--data", RepoPaths.RequireMnist(), "--k", "2", "--limit", "200",
                                    "--noise", "0.3", "--mask", "bottom-half", "--iterations", "3");
        Assert.Equal(0.3, root.GetProperty("noise").GetDouble());
        Assert.Equal("bottom-half", root.GetProperty("mask").GetString());
        double noisy = root.GetProperty("noisy_mse").GetDouble(), denoised = root.GetProperty("denoised_mse").GetDouble();
        // σ = 0.3 clipped to [0, 1]: about half the noise of mostly-black pixels is clipped away
        Assert.InRange(noisy, 0.02, 0.09);
        Assert.InRange(denoised, 0.001, 0.2);
        Assert.InRange(root.GetProperty("imputed_mse").GetDouble(), 0.001, 0.3);
        Assert.InRange(root.GetProperty("mean_fill_mse").GetDouble(), 0.001, 0.3);
        Assert.False(root.TryGetProperty("conditional_sample_accuracy", out _));

        JsonElement plain = Evaluate("--model", TestModel.Run, "--data", RepoPaths.RequireMnist(), "--k", "2", "--limit", "200");
        Assert.False(plain.TryGetProperty("noisy_mse", out _));
        Assert.False(plain.TryGetProperty("imputed_mse", out _));
    }

    [Fact]
    public void An_exported_pair_gives_the_checkpoints_denoising_and_imputation_figures_through_onnx_runtime()
    {
        string model = Path.Combine(folder, "exported");
        CliRun.Setup(["export", "--checkpoint", TestModel.Run, "--out", model]);
        string[] figures = ["--data", RepoPaths.RequireMnist(), "--k", "2", "--limit", "100", "--noise", "0.3", "--mask", "random:0.3", "--iterations", "2"];
        JsonElement torch = Evaluate(["--model", TestModel.Run, .. figures]), onnx = Evaluate(["--model", model, .. figures]);
        foreach (string name in new[] { "noisy_mse", "denoised_mse", "imputed_mse", "mean_fill_mse" })
            Assert.Equal(torch.GetProperty(name).GetDouble(), onnx.GetProperty(name).GetDouble(), 4);
    }

    [Fact]
    public void Bad_noise_and_masks_are_refused_before_the_evaluation()
    {
        string[] common = ["evaluate", "--model", TestModel.Run, "--data", RepoPaths.RequireMnist(), "--limit", "10"];
        Assert.Contains("--noise is 0; expected a standard deviation > 0", CliRun.Failure([.. common, "--noise", "0"]));
        Assert.Contains("--mask is 'from-data'; evaluate needs values it can score", CliRun.Failure([.. common, "--mask", "from-data"]));
        Assert.Contains("--mask is 'left'", CliRun.Failure([.. common, "--mask", "left"]));
    }

    [Fact]
    public void The_torchsharp_imputation_is_the_exported_pairs()
    {
        string model = Path.Combine(folder, "model");
        CliRun.Setup(["export", "--checkpoint", TestModel.Run, "--out", model]);
        Dataset test = Mnist.LoadTest(RepoPaths.RequireMnist()).Take(20);
        bool[] observed = new MissingMask(MaskKind.Random, 0.4).Observed(test, 2);

        using var checkpoint = Checkpoint.Load(TestModel.Run);
        float[] torch = Imputation.Complete(checkpoint, test, observed, iterations: 4);
        using var vae = VaeModel.Load(model);
        float[] onnx = vae.Impute(test.Features, observed, 4);
        for (int i = 0; i < onnx.Length; i++) Assert.Equal(onnx[i], torch[i], 1e-4f);
        Assert.All(Enumerable.Range(0, onnx.Length).Where(i => observed[i]), i => Assert.Equal(test.Features[i], torch[i]));
    }

    [Fact]
    public void A_conditional_model_reports_how_often_its_samples_are_of_the_asked_class()
    {
        // a small labelled training set as CSV keeps the judge's training to seconds; MNIST's t10k split is the test set
        string mnist = RepoPaths.RequireMnist(), csv = Path.Combine(folder, "train.csv"), judge = Path.Combine(folder, "judge");
        Dataset train = Mnist.LoadTrain(mnist).Take(1000);
        File.WriteAllLines(csv, Enumerable.Range(0, train.Count).Select(i => string.Join(',',
            train.Features.AsSpan(i * 784, 784).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)).Append(train.Labels![i].ToString(CultureInfo.InvariantCulture)))));
        string run = Path.Combine(folder, "cvae");
        CliRun.Setup(["train", "--data", csv, "--label-column", "784", "--shape", "1,28,28", "--out", run, "--conditional",
                      "--hidden", "32", "--latent", "4", "--epochs", "2", "--seed", "1"]);

        string[] args = ["--model", run, "--data", csv, "--label-column", "784", "--shape", "1,28,28", "--test-data", mnist,
                         "--k", "1", "--limit", "300", "--samples-per-class", "30", "--judge", judge];
        var (exit, _, error) = CliRun.Run(["evaluate", .. args, "--json"]);
        Assert.True(exit == 0, error);
        JsonElement first = Evaluate(args);
        Assert.InRange(first.GetProperty("conditional_sample_accuracy").GetDouble(), 0, 1);
        Assert.Equal(10, first.GetProperty("conditional_sample_accuracy_per_class").GetArrayLength());
        Assert.Equal(30, first.GetProperty("samples_per_class").GetInt32());
        Assert.InRange(first.GetProperty("judge_accuracy_on_real").GetDouble(), 0.7, 1);
        Assert.True(File.Exists(Path.Combine(judge, "judge.json")));

        // the judge is kept: a second evaluation gives the same verdicts without training it again
        var (again, text, errors) = CliRun.Run(["evaluate", .. args]);
        Assert.True(again == 0, errors);
        Assert.DoesNotContain("judge: trained", errors);
        Assert.Contains("conditional samples", text);

        Assert.Contains("give the training set as --data and the test set as --test-data",
                        CliRun.Failure("evaluate", "--model", run, "--data", csv, "--label-column", "784", "--shape", "1,28,28", "--k", "1", "--limit", "50"));
    }
}
