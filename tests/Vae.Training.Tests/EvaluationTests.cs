using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class EvaluationTests
{
    [Fact]
    public void Importance_sampled_nll_is_below_the_negative_elbo_on_a_fixed_test_subset()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset train = Mnist.LoadTrain(mnist).Take(5_000);
        torch.random.manual_seed(8);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [128], LatentSize = 10, Binarize = true });
        new Trainer(model, new TrainOptions { Epochs = 2 }).Fit(train);

        using var raw = TensorSet.From(Mnist.LoadTest(mnist).Take(200), model, "test");
        using TensorSet test = raw.Binarized(seed: 1);
        double elbo = Evaluation.NegElbo(model, test, 200, seed: 1).NegElbo;
        double nll = Evaluation.ImportanceNll(model, test, k: 200, seed: 1, rowsPerChunk: 4096);
        double nll1 = Evaluation.ImportanceNll(model, test, k: 1, seed: 2);

        Assert.True(nll <= elbo, $"NLL(k=200) {nll:F2} should be ≤ -ELBO {elbo:F2}");
        Assert.True(elbo - nll < 20, $"the bound gap {elbo - nll:F2} nats is implausibly large");
        Assert.True(Math.Abs(nll1 - elbo) < 2, $"k = 1 is the ELBO: {nll1:F2} vs {elbo:F2}");
        int active = Evaluation.ActiveUnits(model, test, 100);
        Assert.InRange(active, 1, 10);
    }

    [Fact]
    public void Samples_of_the_model_size_in_another_shape_are_read_in_the_models_shape()
    {
        torch.random.manual_seed(3);
        using var model = new ConvVae(new VaeConfig { Architecture = Architecture.Conv, InputShape = [1, 8, 8], LatentSize = 2, Conv = new ConvConfig { Channels = [4], Strides = [2] } });
        float[] values = Enumerable.Range(0, 2 * 64).Select(i => i / 128f).ToArray();
        using var flat = TensorSet.From(new Dataset(values, [64]), model, "test data");
        Assert.Equal([2L, 1, 8, 8], flat.X.shape);
        Assert.Equal(values, flat.X.data<float>().ToArray());
        var (mean, logvar) = model.Encode(flat.X);
        using (mean)
        using (logvar) Assert.Equal([2L, 2], mean.shape);

        var e = Assert.Throws<ArgumentException>(() => TensorSet.From(new Dataset(new float[2 * 63], [63]), model, "test data"));
        Assert.Equal("test data samples have shape [63] (63 values); the model expects [1, 8, 8] (64 values). (Parameter 'test data')", e.Message);
    }

    [Fact]
    public void Binarisation_is_fixed_by_the_seed()
    {
        using Tensor x = full([1000], 0.3f);
        using Tensor a = Evaluation.Binarize(x, 4), b = Evaluation.Binarize(x, 4), c = Evaluation.Binarize(x, 5);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.NotEqual(a.data<float>().ToArray(), c.data<float>().ToArray());
        Assert.InRange(a.mean().item<float>(), 0.25, 0.35);
        Assert.All(a.data<float>().ToArray(), v => Assert.True(v is 0f or 1f));
    }

    [Fact]
    public void Nll_chunking_does_not_change_the_estimate_beyond_sampling_noise()
    {
        torch.random.manual_seed(9);
        using var model = new MlpVae(new VaeConfig { InputShape = [6], HiddenSizes = [5], LatentSize = 2 });
        using var data = new TensorSet(rand([7, 6]).round(), null);
        double big = Evaluation.ImportanceNll(model, data, k: 4000, seed: 3, rowsPerChunk: 100_000);
        double small = Evaluation.ImportanceNll(model, data, k: 4000, seed: 4, rowsPerChunk: 300);
        Assert.True(Math.Abs(big - small) < 0.05, $"{big} vs {small}");
    }
}
