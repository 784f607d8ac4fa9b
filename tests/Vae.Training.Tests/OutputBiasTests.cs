using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary><see cref="OutputBias.StartAtDataMean"/> and <see cref="TrainOptions.OutputBias"/>, checked against means computed here in double.</summary>
public class OutputBiasTests
{
    private static float[] Values(Tensor t) => t.detach().cpu().data<float>().ToArray();

    private static Dictionary<string, float[]> State(VaeModule model) =>
        model.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));

    /// <summary>The bias of the decoder's last layer, by name.</summary>
    private static string LastBiasName(VaeModule model) => model.named_parameters().Select(p => p.name).Last(n => n.StartsWith("decoder.", StringComparison.Ordinal) && n.EndsWith(".bias", StringComparison.Ordinal));

    /// <summary>Per-value means of samples of <paramref name="size"/> values, in double.</summary>
    private static double[] Means(float[] values, int size) =>
        Enumerable.Range(0, size).Select(j => Enumerable.Range(0, values.Length / size).Average(i => (double)values[i * size + j])).ToArray();

    private static double Logit(double p)
    {
        p = Math.Clamp(p, OutputBias.Epsilon, 1 - OutputBias.Epsilon);
        return Math.Log(p / (1 - p));
    }

    [Fact]
    public void Mlp_bernoulli_bias_becomes_the_log_odds_of_each_pixel_mean_and_nothing_else_changes()
    {
        // column 0 is 0 everywhere (clamped to ε), column 1 is 1 everywhere (1 − ε), the rest vary
        float[] values = Enumerable.Range(0, 40 * 12).Select(i => i % 12 == 0 ? 0f : i % 12 == 1 ? 1f : (i * 7 % 11) / 11f).ToArray();
        using var model = new MlpVae(TinyVae.Config);
        var before = State(model);
        using Tensor x = tensor(values, [40, 12]);

        OutputBias.StartAtDataMean(model, x);

        var after = State(model);
        string bias = LastBiasName(model);
        double[] expected = Means(values, 12).Select(Logit).ToArray();
        Assert.Equal(-Math.Log((1 - OutputBias.Epsilon) / OutputBias.Epsilon), expected[0], 12);
        for (int j = 0; j < 12; j++) Assert.Equal(expected[j], after[bias][j], 5);
        foreach (var (name, weights) in before.Where(p => p.Key != bias)) Assert.Equal(weights, after[name]);
    }

    [Fact]
    public void Gaussian_bias_becomes_the_mean_itself()
    {
        float[] values = Enumerable.Range(0, 30 * 12).Select(i => (i * 13 % 17) - 8f).ToArray();
        using var model = new MlpVae(TinyVae.Config with { Likelihood = Likelihood.Gaussian });
        using Tensor x = tensor(values, [30, 12]);

        OutputBias.StartAtDataMean(model, x);

        float[] bias = State(model)[LastBiasName(model)];
        double[] expected = Means(values, 12);
        for (int j = 0; j < 12; j++) Assert.Equal(expected[j], bias[j], 5);
    }

    [Theory]
    [InlineData(2)]   // ConvTranspose2d last
    [InlineData(1)]   // stride 1: a Conv2d last
    public void Conv_bias_becomes_the_log_odds_of_each_channel_mean(int lastStride)
    {
        // 3 × 6 × 5 images whose channels have different means
        const int n = 8, c = 3, hw = 30;
        float[] values = Enumerable.Range(0, n * c * hw).Select(i => ((i / hw) % c + 1) * 0.2f * ((i * 5 % 7) / 6f)).ToArray();
        var config = new VaeConfig { Architecture = Architecture.Conv, InputShape = [c, 6, 5], Conv = new ConvConfig { Channels = [4, 5], Strides = [lastStride, 2] }, LatentSize = 2 };
        using var model = new ConvVae(config);
        using Tensor x = tensor(values, [n, c, 6, 5]);

        OutputBias.StartAtDataMean(model, x);

        float[] bias = State(model)[LastBiasName(model)];
        Assert.Equal(c, bias.Length);
        for (int ch = 0; ch < c; ch++)
        {
            double mean = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range((i * c + ch) * hw, hw)).Average(k => (double)values[k]);
            Assert.Equal(Logit(mean), bias[ch], 5);
        }
    }

    [Fact]
    public void Samples_of_another_size_are_refused_naming_both_shapes()
    {
        using var model = new MlpVae(TinyVae.Config);
        using Tensor x = zeros(4, 11);
        var e = Assert.Throws<ArgumentException>(() => OutputBias.StartAtDataMean(model, x));
        Assert.Contains("x has shape [4, 11]; expected [N ≥ 1, 12]", e.Message);
        Assert.Equal("x", e.ParamName);
    }

    [Theory]
    [InlineData(OutputBiasInit.DataMean)]
    [InlineData(OutputBiasInit.Uniform)]
    public void Fit_starts_a_new_run_from_the_data_mean_only_when_asked(OutputBiasInit init)
    {
        Dataset data = TinyVae.Data(64);
        torch.random.manual_seed(3);
        using var model = new MlpVae(TinyVae.Config);
        string bias = LastBiasName(model);
        float[] built = State(model)[bias];
        // a learning rate far below float32's resolution of these weights: one epoch of Adam steps leaves them as they started
        new Trainer(model, new TrainOptions { Epochs = 1, BatchSize = 16, LearningRate = 1e-20, OutputBias = init }).Fit(data);

        float[] trained = State(model)[bias];
        double[] expected = init == OutputBiasInit.DataMean ? Means(data.Features, 12).Select(Logit).ToArray() : built.Select(v => (double)v).ToArray();
        for (int j = 0; j < 12; j++) Assert.Equal(expected[j], trained[j], 5);
    }

    [Fact]
    public void Resumed_run_with_the_data_mean_start_equals_the_uninterrupted_run()
    {
        // a resumed run goes on from last/'s weights, not from a new data-mean start
        var options = new TrainOptions { Epochs = 3, BatchSize = 16, Seed = 4, OutputBias = OutputBiasInit.DataMean };
        Dataset data = TinyVae.Data(80);
        string straight = RepoPaths.NewTempFolder(), split = RepoPaths.NewTempFolder();
        torch.random.manual_seed(4);
        using var a = new MlpVae(TinyVae.Config);
        new Trainer(a, options).Fit(data, runFolder: straight);
        torch.random.manual_seed(4);
        using (var first = new MlpVae(TinyVae.Config)) new Trainer(first, options with { Epochs = 1 }).Fit(data, runFolder: split);
        using var b = new MlpVae(TinyVae.Config);
        new Trainer(b, options).Fit(data, runFolder: split, resume: true);

        Assert.Equal(State(a), State(b));
    }

    [Fact]
    public void On_mnist_the_data_mean_start_lowers_the_untrained_negative_elbo()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset train = Mnist.LoadTrain(mnist).Take(5_000);
        Dataset test = Mnist.LoadTest(mnist).Take(1_000);
        torch.random.manual_seed(1);
        using var model = new MlpVae(new VaeConfig());
        using var trainSet = TensorSet.From(train, model, "train");
        using var testSet = TensorSet.From(test, model, "test");
        double uniform = Evaluation.NegElbo(model, testSet, 1000, seed: 1).NegElbo;

        OutputBias.StartAtDataMean(model, trainSet.X);

        double dataMean = Evaluation.NegElbo(model, testSet, 1000, seed: 1).NegElbo;
        // PyTorch's initialisation decodes every pixel near σ(0) = ½: about 784 · log 2 ≈ 543 nats; the mean image costs far less
        Assert.True(uniform > 500, $"untrained -ELBO with the uniform bias is {uniform:F1} nats");
        Assert.True(dataMean < uniform - 200, $"untrained -ELBO went from {uniform:F1} (uniform bias) to only {dataMean:F1} (data mean)");
    }
}
