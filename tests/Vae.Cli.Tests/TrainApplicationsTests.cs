using System.Text.Json;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae train --denoise</c>, <c>--missing</c> and <c>--objective ae</c> on tiny runs.</summary>
public class TrainApplicationsTests
{
    private readonly string folder = RepoPaths.NewTempFolder();

    private static string[] Tiny(string run, params string[] more) =>
        ["train", "--data", RepoPaths.RequireMnist(), "--out", run, "--hidden", "16", "--latent", "2", "--limit", "300", "--epochs", "1", "--seed", "3", .. more];

    [Fact]
    public void Denoising_and_hidden_values_are_recorded_with_the_run_and_kept_on_resume()
    {
        string run = Path.Combine(folder, "run");
        string output = CliRun.Setup(Tiny(run, "--denoise", "gaussian:0.3", "--missing", "random:0.5"));
        Assert.Contains("denoising: the encoder reads gaussian:0.3-corrupted inputs", output);
        Assert.Contains("missing values read as 0 and not scored; values hidden from the encoder by random:0.5 every batch (and scored)", output);

        using JsonDocument training = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "best", "training.json")));
        JsonElement options = training.RootElement.GetProperty("options");
        Assert.Equal("gaussian", options.GetProperty("denoise").GetProperty("kind").GetString());
        Assert.Equal(0.3, options.GetProperty("denoise").GetProperty("level").GetDouble());
        Assert.Equal("random", options.GetProperty("missing").GetProperty("kind").GetString());

        var (exit, resumed, error) = CliRun.Run("train", "--data", RepoPaths.RequireMnist(), "--limit", "300", "--out", run, "--resume", "--epochs", "2");
        Assert.True(exit == 0, error);
        Assert.Contains("stopped after epoch 2", resumed);
        string refused = CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--limit", "300", "--out", run, "--resume", "--denoise", "masking:0.2");
        Assert.Contains("--denoise cannot change", refused);
    }

    [Fact]
    public void A_plain_run_writes_no_denoise_or_missing_field()
    {
        string run = Path.Combine(folder, "plain");
        CliRun.Setup(Tiny(run));
        string training = File.ReadAllText(Path.Combine(run, "best", "training.json"));
        Assert.DoesNotContain("denoise", training);
        Assert.DoesNotContain("missing", training);
    }

    [Fact]
    public void Csv_gaps_train_with_missing_allow_and_are_refused_without()
    {
        string csv = Path.Combine(folder, "gaps.csv");
        var random = new Random(1);
        File.WriteAllLines(csv, Enumerable.Range(0, 200).Select(r => string.Join(",", Enumerable.Range(0, 6).Select(c =>
            (r + c) % 7 == 0 ? "" : (random.NextDouble() * 10).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))));
        string[] common = ["train", "--data", csv, "--hidden", "8", "--latent", "2", "--epochs", "2", "--likelihood", "gaussian", "--normalize", "standard"];

        Assert.Contains("row 1, column 1: '' is not a number", CliRun.Failure([.. common, "--out", Path.Combine(folder, "refused")]));
        var (exit, output, error) = CliRun.Run([.. common, "--out", Path.Combine(folder, "gappy"), "--missing", "allow"]);
        Assert.True(exit == 0, error);
        Assert.Contains("missing values read as 0 and not scored", output);
        Assert.Contains("stopped after epoch 2", output);
    }

    [Fact]
    public void Bad_denoise_and_missing_values_name_the_option()
    {
        Assert.Contains("--denoise is 'noise:0.3'; expected gaussian:σ, masking:p or salt-pepper:p", CliRun.Failure(Tiny(Path.Combine(folder, "a"), "--denoise", "noise:0.3")));
        Assert.Contains("--missing is 'random:2'; random:P needs a probability P with 0 < P < 1", CliRun.Failure(Tiny(Path.Combine(folder, "b"), "--missing", "random:2")));
        Assert.Contains("--objective is 'gan'; expected vae or ae", CliRun.Failure(Tiny(Path.Combine(folder, "c"), "--objective", "gan")));
        Assert.False(Directory.Exists(Path.Combine(folder, "a")));
    }
}
