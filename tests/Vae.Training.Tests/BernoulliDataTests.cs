using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>A Bernoulli likelihood is defined on values in [0, 1]: other data is refused before training starts.</summary>
public class BernoulliDataTests
{
    private static Dataset WithValue(float value)
    {
        float[] features = Enumerable.Range(0, 40 * 6).Select(i => i % 5 / 4f).ToArray();
        features[3 * 6 + 4] = value;
        return new Dataset(features, [6]);
    }

    [Theory]
    [InlineData(false, 1.5f)]
    [InlineData(false, -0.25f)]
    [InlineData(true, 255f)]   // dynamic binarisation died in libtorch's bernoulli_ ("Expected p_in >= 0 && p_in <= 1")
    public void Values_outside_the_unit_interval_are_named_before_training(bool binarize, float value)
    {
        using var model = new MlpVae(new VaeConfig { InputShape = [6], HiddenSizes = [4], LatentSize = 2, Binarize = binarize });
        int epochs = 0;
        var trainer = new Trainer(model, new TrainOptions { Epochs = 1, BatchSize = 8 }) { OnEpoch = _ => epochs++ };

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(WithValue(value)));
        Assert.Contains($"training data: sample 3, value 4 is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; a Bernoulli likelihood needs values in [0, 1]", e.Message);
        Assert.Equal(0, epochs);
    }

    [Fact]
    public void A_gaussian_likelihood_takes_any_finite_values()
    {
        using var model = new MlpVae(new VaeConfig { InputShape = [6], HiddenSizes = [4], LatentSize = 2, Likelihood = Likelihood.Gaussian });
        var history = new Trainer(model, new TrainOptions { Epochs = 1, BatchSize = 8 }).Fit(WithValue(255f));
        Assert.True(double.IsFinite(Assert.Single(history).Train.NegElbo));
    }
}
