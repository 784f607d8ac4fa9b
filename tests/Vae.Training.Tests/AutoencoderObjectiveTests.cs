using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary><see cref="Objective.Autoencoder"/>: the deterministic autoencoder of <c>vae train --objective ae</c>.</summary>
public class AutoencoderObjectiveTests
{
    private static readonly VaeConfig Config = TinyVae.Config with { Objective = Objective.Autoencoder };

    [Fact]
    public void The_code_is_the_mean_the_kl_is_zero_and_the_logvar_head_is_a_fixed_point_mass()
    {
        torch.random.manual_seed(3);
        using var model = new MlpVae(Config);
        using var x = rand(5, 12);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        VaeOutput first = model.Forward(x), second = model.Forward(x);

        Assert.Equal(first.Mean.data<float>().ToArray(), first.Z.data<float>().ToArray());
        Assert.Equal(first.Output.data<float>().ToArray(), second.Output.data<float>().ToArray());
        Assert.All(first.Logvar.data<float>().ToArray(), v => Assert.Equal(VaeConfig.AutoencoderLogvar, v));
        ElboTerms terms = Elbo.Compute(model, first, x);
        Assert.All(terms.Kl.data<float>().ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(terms.Reconstruction.data<float>().ToArray(), terms.Loss.data<float>().ToArray());
    }

    [Fact]
    public void Training_lowers_the_reconstruction_and_leaves_the_logvar_head_alone()
    {
        torch.random.manual_seed(3);
        using var model = new MlpVae(Config);
        var logvarHead = model.named_parameters().Where(p => p.name.StartsWith("fc_logvar", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(logvarHead);
        Assert.All(logvarHead, p => Assert.False(p.parameter.requires_grad, $"{p.name} must be frozen"));
        float[] before = logvarHead.SelectMany(p => p.parameter.data<float>().ToArray()).ToArray();

        var history = new Trainer(model, new TrainOptions { Epochs = 30, BatchSize = 16, LearningRate = 1e-2 }).Fit(TinyVae.Data(64));

        Assert.True(history[^1].Train.Reconstruction < history[0].Train.Reconstruction - 0.1,
                    $"reconstruction went from {history[0].Train.Reconstruction:F3} to {history[^1].Train.Reconstruction:F3}");
        Assert.All(history, m => Assert.Equal(0, m.Train.Kl));
        Assert.Equal(before, logvarHead.SelectMany(p => p.parameter.data<float>().ToArray()).ToArray());
    }

    [Fact]
    public void The_exported_pair_says_it_is_an_autoencoder_and_reports_the_point_mass()
    {
        torch.random.manual_seed(4);
        using var model = new MlpVae(Config);
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);

        using var vae = VaeModel.Load(folder);
        Assert.True(vae.Info.IsAutoencoder);
        float[] x = Enumerable.Range(0, 24).Select(i => i / 24f).ToArray();
        var (mean, logvar) = vae.Encode(x);
        Assert.All(logvar, v => Assert.Equal(VaeConfig.AutoencoderLogvar, v));
        Assert.Equal(2 * 2, mean.Length);

        using var vaeOfSameShape = new MlpVae(TinyVae.Config);
        string plain = RepoPaths.NewTempFolder();
        VaeExporter.Export(vaeOfSameShape, plain);
        using var reloaded = VaeModel.Load(plain);
        Assert.False(reloaded.Info.IsAutoencoder);
        Assert.Contains("objective autoencoder vs vae", vae.Info.MismatchWith(reloaded.Info));
    }

    [Fact]
    public void A_vae_config_is_written_as_before_and_an_autoencoder_config_round_trips()
    {
        Assert.DoesNotContain("objective", TinyVae.Config.ToJson());
        string json = Config.ToJson();
        Assert.Contains("\"objective\": \"autoencoder\"", json);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "config.json");
        File.WriteAllText(path, json);
        Assert.Equal(Objective.Autoencoder, VaeConfig.Load(path).Objective);

        File.WriteAllText(path, json.Replace("\"autoencoder\"", "\"gan\""));
        Assert.Throws<InvalidDataException>(() => VaeConfig.Load(path));
    }
}
