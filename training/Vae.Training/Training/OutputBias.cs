using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>How the bias of the decoder's last layer starts a new run.</summary>
public enum OutputBiasInit
{
    /// <summary>As the layer was built: TorchSharp's (= PyTorch's) U(±1/√fan_in), as in the PyTorch VAE example.</summary>
    Uniform,

    /// <summary>
    /// At the training data's mean: the decoder's first output is the mean image — its log-odds
    /// logit(clamp(x̄, 10⁻³, 1 − 10⁻³)) for a Bernoulli likelihood, x̄ itself for a Gaussian one — per value for an MLP,
    /// per channel for a convolutional decoder. A common data-dependent start for VAEs on images (the marginal
    /// log-odds of each pixel); the network then learns only how each image departs from the mean.
    /// </summary>
    DataMean,
}

/// <summary>Sets the decoder's output bias from the training data (<see cref="OutputBiasInit.DataMean"/>).</summary>
public static class OutputBias
{
    /// <summary>Pixel means are clamped to [ε, 1 − ε] before their log-odds are taken: a pixel that is 0 in every
    /// training image starts at logit(10⁻³) ≈ −6.9, not at −∞.</summary>
    public const double Epsilon = 1e-3;

    /// <summary>
    /// Sets the bias of the last layer of <paramref name="model"/>'s decoder so that the decoder outputs the mean of
    /// <paramref name="x"/> [N, ...InputShape] (for a Bernoulli likelihood, its log-odds) where the layer's weights
    /// contribute nothing. Nothing else changes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> does not hold samples of the model's input size, or the
    /// decoder's last layer has no bias of one value per input value or per channel.</exception>
    public static void StartAtDataMean(VaeModule model, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        VaeConfig config = model.Config;
        if (x.dim() < 2 || x.shape[0] == 0 || x.numel() / x.shape[0] != config.InputSize)
            throw new ArgumentException($"x has shape [{string.Join(", ", x.shape)}]; expected [N ≥ 1, {string.Join(", ", config.InputShape)}].", nameof(x));
        Tensor bias = LastBias(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor mean = x.flatten(1).mean([0], type: ScalarType.Float64);   // summed in double without a double copy of x
        long channels = config.InputShape[0];
        if (bias.numel() == channels && channels != config.InputSize) mean = mean.reshape(channels, -1).mean([1]);
        else if (bias.numel() != config.InputSize)
            throw new ArgumentException($"the last layer of the decoder has a bias of {bias.numel()} values; expected {config.InputSize} (one per input value) or {channels} (one per channel).", nameof(model));
        Tensor start = mean;
        if (config.Likelihood == Likelihood.Bernoulli)
        {
            Tensor p = mean.clamp(Epsilon, 1 - Epsilon);
            start = (p / (1 - p)).log();   // logit: σ(start) = p
        }
        bias.copy_(start.to(bias.dtype).to(bias.device));
    }

    /// <summary>The decoder's last bias parameter (of its last layer that has one).</summary>
    private static Tensor LastBias(VaeModule model) =>
        model.GraphLayout.Decoder.named_parameters().LastOrDefault(p => p.name == "bias" || p.name.EndsWith(".bias", StringComparison.Ordinal)).parameter
        ?? throw new ArgumentException($"the decoder of {model.GetType().Name} has no layer with a bias.", nameof(model));
}
