using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>Denoising training (<see cref="TrainOptions.Denoise"/>) and the corruptions it draws.</summary>
public class DenoisingTrainingTests
{
    [Theory]
    [InlineData("gaussian:0.3", CorruptionKind.Gaussian, 0.3)]
    [InlineData("Masking:0.25", CorruptionKind.Masking, 0.25)]
    [InlineData("salt-pepper:0.1", CorruptionKind.SaltPepper, 0.1)]
    public void Corruptions_are_read_as_written(string text, CorruptionKind kind, double level)
    {
        InputCorruption corruption = InputCorruption.Parse(text, "--denoise");
        Assert.Equal(new InputCorruption(kind, level), corruption);
        Assert.Equal(corruption, InputCorruption.Parse(corruption.ToString(), "--denoise"));
    }

    [Theory]
    [InlineData("gaussian", "expected gaussian:σ, masking:p or salt-pepper:p")]
    [InlineData("blur:2", "expected gaussian:σ, masking:p or salt-pepper:p")]
    [InlineData("gaussian:-1", "expected a finite σ > 0")]
    [InlineData("masking:1", "expected a probability p with 0 < p < 1")]
    public void Bad_corruptions_are_refused_naming_the_option(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => InputCorruption.Parse(text, "--denoise"));
        Assert.StartsWith($"--denoise is '{text}'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Each_corruption_damages_the_input_as_it_says_and_follows_its_generator()
    {
        using var scope = NewDisposeScope();
        Tensor x = full(new long[] { 200, 50 }, 0.5f);
        using var generator = new Generator(7);
        Tensor masked = new InputCorruption(CorruptionKind.Masking, 0.25).Apply(x, generator, unitInterval: true);
        Assert.InRange(masked.eq(0).to_type(ScalarType.Float32).mean().item<float>(), 0.23, 0.27);
        Assert.True(masked.eq(0).logical_or(masked.eq(0.5)).all().item<bool>());

        Tensor peppered = new InputCorruption(CorruptionKind.SaltPepper, 0.1).Apply(x, generator, unitInterval: true);
        Assert.InRange(peppered.ne(0.5).to_type(ScalarType.Float32).mean().item<float>(), 0.08, 0.12);
        Assert.True(peppered.eq(0).logical_or(peppered.eq(1)).logical_or(peppered.eq(0.5)).all().item<bool>());

        Tensor noisy = new InputCorruption(CorruptionKind.Gaussian, 0.3).Apply(x, generator, unitInterval: true);
        Assert.True(noisy.ge(0).logical_and(noisy.le(1)).all().item<bool>());
        Tensor unclipped = new InputCorruption(CorruptionKind.Gaussian, 0.3).Apply(x, generator, unitInterval: false);
        Assert.InRange((unclipped - x).std().item<float>(), 0.28, 0.32);

        using var a = new Generator(11);
        using var b = new Generator(11);
        Assert.True(new InputCorruption(CorruptionKind.Gaussian, 0.3).Apply(x, a, true).eq(new InputCorruption(CorruptionKind.Gaussian, 0.3).Apply(x, b, true)).all().item<bool>());
    }

    /// <summary>Two prototypes of 16 pixels (the left or the right half lit), 256 samples.</summary>
    private static Dataset Prototypes() =>
        new(Enumerable.Range(0, 256 * 16).Select(i => (i / 16 % 2 == 0) == (i % 16 < 8) ? 0.95f : 0.05f).ToArray(), [16]);

    [Fact]
    public void A_denoising_model_maps_noisy_inputs_closer_to_the_clean_ones_than_a_plain_model()
    {
        Dataset data = Prototypes();
        double DenoisedError(InputCorruption? denoise)
        {
            torch.random.manual_seed(4);
            using var model = new MlpVae(new VaeConfig { InputShape = [16], HiddenSizes = [16], LatentSize = 2 });
            new Trainer(model, new TrainOptions { Epochs = 40, BatchSize = 32, LearningRate = 1e-2, Denoise = denoise }).Fit(data);
            model.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using var generator = new Generator(99);
            Tensor clean = Evaluation.ToTensor(data);
            Tensor noisy = new InputCorruption(CorruptionKind.Gaussian, 0.6).Apply(clean, generator, unitInterval: true);
            var (mean, _) = model.Encode(noisy);
            return (model.Decode(mean).sigmoid() - clean).pow(2).mean().item<float>();
        }
        double plain = DenoisedError(null), denoising = DenoisedError(new InputCorruption(CorruptionKind.Gaussian, 0.6));
        Assert.True(denoising < 0.7 * plain, $"denoised MSE {denoising:F4} with denoising training, {plain:F4} without");
    }
}
