using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class TrainerTests
{
    [Fact]
    public void One_epoch_on_real_mnist_lowers_the_test_negative_elbo()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset train = Mnist.LoadTrain(mnist).Take(10_000);
        Dataset test = Mnist.LoadTest(mnist).Take(2_000);
        torch.random.manual_seed(1);
        using var model = new MlpVae(new VaeConfig());
        using Tensor testX = Trainer.ToTensor(test);
        double before = Trainer.Evaluate(model, testX, 1000, seed: 1).NegElbo;

        var reports = new Trainer(model, new TrainOptions { Epochs = 1 }).Fit(train, test);

        Assert.Single(reports);
        Assert.True(reports[0].TestNegElbo < before - 100, $"test -ELBO went from {before:F1} to {reports[0].TestNegElbo:F1} nats");
        Assert.True(reports[0].TestNegElbo < 200, $"one epoch on 10k images should reach below 200 nats, got {reports[0].TestNegElbo:F1}");
    }

    [Fact]
    public void Kl_matches_the_closed_form_of_kingma_and_welling()
    {
        using var mean = tensor(new float[] { 0.5f, -1f }, [1, 2]);
        using var logvar = tensor(new float[] { 0f, MathF.Log(4f) }, [1, 2]);
        // ½ Σ (μ² + σ² − 1 − log σ²) = ½ [(0.25 + 1 − 1 − 0) + (1 + 4 − 1 − log 4)]
        double expected = 0.5 * (0.25 + (4 - Math.Log(4)));
        Assert.Equal(expected, Elbo.GaussianKl(mean, logvar).item<float>(), 5);
    }

    [Fact]
    public void Same_seed_gives_identical_weights()
    {
        var data = new Dataset(Enumerable.Range(0, 64 * 12).Select(i => (i % 7) / 7f).ToArray(), [12]);
        float[] Train()
        {
            torch.random.manual_seed(7);
            using var model = new MlpVae(new VaeConfig { InputShape = [12], HiddenSizes = [8], LatentSize = 2 });
            new Trainer(model, new TrainOptions { Epochs = 2, BatchSize = 16, Seed = 7 }).Fit(data, data);
            return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void Wrong_input_shape_is_rejected_with_both_shapes()
    {
        using var model = new MlpVae(new VaeConfig());
        var data = new Dataset(new float[10 * 12], [12]);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions()).Fit(data, data));
        Assert.Contains("[12]", e.Message);
        Assert.Contains("[1, 28, 28]", e.Message);
    }
}
