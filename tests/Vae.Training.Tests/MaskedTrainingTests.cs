using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Missing;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>The masked ELBO and training on incomplete data (<see cref="TrainOptions.Missing"/>).</summary>
public class MaskedTrainingTests
{
    private static VaeOutput Output(float[] values, float[] mean, float[] logvar) =>
        new(tensor(values, [1, values.Length]), tensor(mean, [1, mean.Length]), tensor(logvar, [1, logvar.Length]), tensor(mean, [1, mean.Length]));

    [Fact]
    public void The_masked_elbo_of_a_bernoulli_model_matches_a_hand_computed_value()
    {
        using var model = new MlpVae(new VaeConfig { InputShape = [3], HiddenSizes = [4], LatentSize = 2 });
        using var scope = NewDisposeScope();
        VaeOutput output = Output([0f, 2f, -1f], [0.5f, -1f], [0f, MathF.Log(4f)]);
        Tensor x = tensor(new float[] { 1, 0, 1 }, [1, 3]);
        Tensor observed = tensor(new[] { true, false, true }, [1, 3]);

        ElboTerms terms = MaskedElbo.Compute(model, output, x, observed, beta: 2);

        // −log p(x_i|z) = log(1 + e^l) − x·l for the observed values 0 and 2 (value 1, log(1 + e²) = 2.1269, is left out):
        // log 2 + (log(1 + e^−1) + 1) = 0.693147 + 1.313262
        double reconstruction = Math.Log(2) + Math.Log(1 + Math.Exp(-1)) + 1;
        // KL = ½ Σ (μ² + σ² − 1 − log σ²) = ½ [(0.25 + 1 − 1 − 0) + (1 + 4 − 1 − log 4)]
        double kl = 0.5 * (0.25 + (4 - Math.Log(4)));
        Assert.Equal(reconstruction, terms.Reconstruction.item<float>(), 5);
        Assert.Equal(kl, terms.Kl.item<float>(), 5);
        Assert.Equal(reconstruction + 2 * kl, terms.Loss.item<float>(), 5);
        Assert.Equal(4.8701145, terms.Loss.item<float>(), 5);

        // with every value observed it is the plain ELBO
        ElboTerms full = MaskedElbo.Compute(model, output, x, ones(1, 3, dtype: ScalarType.Bool));
        Assert.Equal(Elbo.Compute(model, output, x).Loss.item<float>(), full.Loss.item<float>(), 5);
    }

    [Fact]
    public void The_masked_elbo_of_a_gaussian_model_sums_the_observed_squared_errors()
    {
        using var model = new MlpVae(new VaeConfig { InputShape = [2], HiddenSizes = [4], LatentSize = 1, Likelihood = Likelihood.Gaussian, GaussianSigma = 0.5 });
        using var scope = NewDisposeScope();
        VaeOutput output = Output([0.2f, 0.9f], [0f], [0f]);
        Tensor x = tensor(new float[] { 0.7f, 0.1f }, [1, 2]);
        ElboTerms terms = MaskedElbo.Compute(model, output, x, tensor(new[] { false, true }, [1, 2]));
        // ½((0.1 − 0.9)² / 0.25 + log(2π · 0.25)) for value 1 only; KL of N(0, 1) is 0
        Assert.Equal(0.5 * (0.64 / 0.25 + Math.Log(2 * Math.PI * 0.25)), terms.Loss.item<float>(), 5);
        Assert.Throws<ArgumentException>(() => MaskedElbo.Compute(model, output, x, ones(1, 3, dtype: ScalarType.Bool)));
    }

    [Fact]
    public void Missing_values_are_refused_without_the_option_and_learnt_around_with_it()
    {
        Dataset complete = TinyVae.Data(64);
        float[] gappy = (float[])complete.Features.Clone();
        for (int i = 0; i < gappy.Length; i += 5) gappy[i] = float.NaN;
        var data = new Dataset(gappy, [12]);

        torch.random.manual_seed(2);
        using var model = new MlpVae(TinyVae.Config);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions { Epochs = 1 }).Fit(data));
        Assert.Contains("sample 0, value 0 is missing (NaN)", e.Message);
        Assert.Contains("TrainOptions.Missing", e.Message);

        var options = new TrainOptions { Epochs = 25, BatchSize = 16, LearningRate = 1e-2, Missing = MissingMask.FromData };
        var history = new Trainer(model, options).Fit(data, test: data);
        Assert.All(history, m => Assert.True(double.IsFinite(m.Test!.NegElbo)));
        Assert.True(history[^1].Train.Reconstruction < history[0].Train.Reconstruction,
                    $"the observed values' reconstruction went from {history[0].Train.Reconstruction:F3} to {history[^1].Train.Reconstruction:F3}");
        // 1 value in 5 is missing: the masked reconstruction sums the other 4 in 5
        using TensorSet set = TensorSet.From(data, model, "data", allowMissing: true);
        Assert.Equal(gappy.Count(v => !float.IsNaN(v)), set.Observed!.sum().ToInt64());
        Assert.Equal(0f, set.X.flatten()[0].item<float>());
    }

    [Fact]
    public void Hiding_values_every_batch_changes_training_and_random_masks_follow_the_seed()
    {
        Dataset data = TinyVae.Data(64);
        float[] Train(MissingMask? missing)
        {
            torch.random.manual_seed(2);
            using var model = new MlpVae(TinyVae.Config);
            new Trainer(model, new TrainOptions { Epochs = 2, BatchSize = 16, Missing = missing }).Fit(data);
            return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        float[] plain = Train(null), random = Train(new MissingMask(MaskKind.Random, 0.5));
        Assert.NotEqual(plain, random);
        Assert.Equal(random, Train(new MissingMask(MaskKind.Random, 0.5)));
        // nothing missing in the data: from-data scores every value, exactly as plain training
        Assert.Equal(plain, Train(MissingMask.FromData));

        using var generator = new Generator(3);
        using Tensor x = ones(1000, 12);
        using Tensor observed = BatchMask.Observed(new MissingMask(MaskKind.Random, 0.25), x, null, generator);
        Assert.InRange(observed.to_type(ScalarType.Float32).mean().item<float>(), 0.72, 0.78);
        using Tensor half = BatchMask.Observed(new MissingMask(MaskKind.BottomHalf), zeros(2, 1, 4, 2), null, generator);
        Assert.Equal(new[] { true, true, true, true, false, false, false, false }, half[0].flatten().data<bool>().ToArray());
    }

    [Fact]
    public void Values_hidden_on_purpose_are_scored_so_the_model_learns_to_fill_them()
    {
        // 12 values: the bottom six repeat the top six, which come from four prototypes plus noise
        var random = new Random(8);
        float[][] prototypes = Enumerable.Range(0, 4).Select(p => Enumerable.Range(0, 6).Select(j => (p >> (j % 2)) % 2 == (j / 2) % 2 ? 0.9f : 0.1f).ToArray()).ToArray();
        var values = new float[256 * 12];
        for (int s = 0; s < 256; s++)
            for (int j = 0; j < 6; j++)
                values[s * 12 + j] = values[s * 12 + 6 + j] = Math.Clamp(prototypes[s % 4][j] + 0.05f * (random.NextSingle() - 0.5f), 0, 1);
        var data = new Dataset(values, [12]);

        torch.random.manual_seed(3);
        using var model = new MlpVae(TinyVae.Config with { HiddenSizes = [16] });
        var history = new Trainer(model, new TrainOptions { Epochs = 60, BatchSize = 32, LearningRate = 1e-2, Missing = new MissingMask(MaskKind.BottomHalf) }).Fit(data);
        // every value is scored: the reconstruction term covers all twelve, not only the six the encoder sees
        Assert.True(history[^1].Train.Reconstruction > 0);

        bool[] observed = new MissingMask(MaskKind.BottomHalf).Observed(data);
        float[] completed = Imputation.Complete(model, data, observed, iterations: 1);
        ImputationScore score = ImputationScore.Measure(values, observed, completed, 12);
        Assert.True(score.ImputedMse < 0.25 * score.MeanFillMse, $"imputed MSE {score.ImputedMse:F4}, column-mean fill {score.MeanFillMse:F4}");
    }

    [Fact]
    public void Missing_options_are_checked_with_the_rest()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { Missing = new MissingMask(MaskKind.Random, 1.5) }.Validate());
        Assert.Contains("TrainOptions.Missing is random:1.5; expected random:P with 0 < P < 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TrainOptions { Missing = MissingMask.FromData, Samples = 5 }.Validate());
        Assert.Contains("TrainOptions.Samples is 5; expected 1 when TrainOptions.Missing is set", e.Message);
    }
}
