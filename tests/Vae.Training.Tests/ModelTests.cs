using TorchSharp;
using Vae.Training.Losses;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class ModelTests
{
    public static TheoryData<int[], int[], int[], bool> ConvShapes => new()
    {
        { [1, 28, 28], [32, 64], [2, 2], false },
        { [3, 32, 32], [16, 32, 64], [2, 2, 2], true },
        { [1, 27, 19], [8, 8], [2, 3], false },
    };

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Conv_vae_restores_any_input_shape(int[] shape, int[] channels, int[] strides, bool batchNorm)
    {
        torch.random.manual_seed(1);
        var config = new VaeConfig { Architecture = Architecture.Conv, InputShape = shape, Conv = new ConvConfig { Channels = channels, Strides = strides, BatchNorm = batchNorm }, LatentSize = 7 };
        using var model = new ConvVae(config);
        using Tensor x = rand([4, .. shape.Select(d => (long)d)]);
        VaeOutput output = model.Forward(x);
        Assert.Equal([4L, 7], output.Mean.shape);
        Assert.Equal(x.shape, output.Output.shape);
        ElboTerms terms = Elbo.Compute(model, output, x);
        Assert.Equal([4L], terms.Loss.shape);
        Assert.Equal(shape, model.GraphLayout.EncoderInputShape);
        Assert.Equal(["decoder", "encoder", "fc_logvar", "fc_mean"], model.named_children().Select(c => c.name).Order());
    }

    [Fact]
    public void Conv_vae_decoder_is_deterministic_for_every_stride()
    {
        torch.random.manual_seed(5);
        using var model = new ConvVae(new VaeConfig { Architecture = Architecture.Conv, InputShape = [3, 12, 10], Conv = new ConvConfig { Channels = [4, 6], Strides = [2, 1] }, LatentSize = 5 });
        model.eval();
        using var noGrad = no_grad();
        using Tensor z = randn(3, 5);
        using Tensor first = model.Decode(z);
        for (int i = 0; i < 20; i++)
        {
            using Tensor again = model.Decode(z);
            Assert.Equal(first.data<float>().ToArray(), again.data<float>().ToArray());
        }
    }

    [Fact]
    public void Conditional_model_concatenates_the_label_and_checks_it()
    {
        torch.random.manual_seed(2);
        using var model = new MlpVae(new VaeConfig { InputShape = [10], HiddenSizes = [8], LatentSize = 3, Classes = 4 });
        using Tensor x = rand([2, 10]);
        using Tensor y = LayeredVae.OneHot(tensor(new long[] { 1, 3 }), 4);
        var (mean, _) = model.Encode(x, y);
        Assert.Equal([2L, 3], mean.shape);
        Assert.Equal([2L, 10], model.Decode(mean, y).shape);
        Assert.Equal(4, model.GraphLayout.Classes);
        Assert.Contains("pass the one-hot label", Assert.Throws<ArgumentException>(() => model.Encode(x)).Message);
        using Tensor wrong = zeros(2, 5);
        Assert.Contains("expected [2, 4]", Assert.Throws<ArgumentException>(() => model.Decode(mean, wrong)).Message);
        using Tensor samples = model.Sample(5, label: 2);
        Assert.Equal([5L, 10], samples.shape);
        Assert.Throws<ArgumentException>(() => model.Sample(5, label: 4));
    }

    [Fact]
    public void Learned_pixel_variance_is_a_trained_parameter_in_the_layout()
    {
        torch.random.manual_seed(3);
        using var model = new MlpVae(new VaeConfig { InputShape = [6], HiddenSizes = [4], LatentSize = 2, Likelihood = Likelihood.Gaussian, LearnVariance = true });
        Assert.NotNull(model.GraphLayout.PixelLogvar);
        Assert.Equal([6L], model.GraphLayout.PixelLogvar!.shape);
        Assert.Contains("pixel_logvar", model.state_dict().Keys);
        using Tensor x = rand([5, 6]);
        ElboTerms terms = Elbo.Compute(model, model.Forward(x), x);
        terms.Loss.sum().backward();
        Assert.True(model.GraphLayout.PixelLogvar!.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Gaussian_nll_with_learned_logvar_matches_the_closed_form()
    {
        using Tensor mean = tensor(new float[] { 0.5f, 0f }, [1, 2]);
        using Tensor x = tensor(new float[] { 1f, -1f }, [1, 2]);
        using Tensor logvar = tensor(new float[] { 0f, MathF.Log(4f) });
        double expected = 0.5 * (0.25 + Math.Log(2 * Math.PI)) + 0.5 * (1 / 4.0 + Math.Log(4) + Math.Log(2 * Math.PI));
        Assert.Equal(expected, Elbo.GaussianNll(mean, x, logvar).item<float>(), 5);
        Assert.Equal(Elbo.GaussianNll(mean, x, 1.0).item<float>(), Elbo.GaussianNll(mean, x, zeros(2)).item<float>(), 5);
    }
}
