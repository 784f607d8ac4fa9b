using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vae.Training.Models;

/// <summary>Observation model p(x|z).</summary>
public enum Likelihood
{
    /// <summary>Bernoulli with logits; targets in [0, 1]. Decoder output: <c>logits</c>.</summary>
    Bernoulli,
    /// <summary>Gaussian with a fixed σ (MSE up to constants). Decoder output: <c>mean</c>.</summary>
    Gaussian,
}

/// <summary>Architecture family.</summary>
public enum Architecture
{
    /// <summary>Fully connected encoder and decoder on flattened inputs.</summary>
    Mlp,
}

/// <summary>
/// Everything needed to rebuild a VAE's modules. Saved as <c>config.json</c> beside every checkpoint;
/// loading a checkpoint without it is refused.
/// </summary>
public sealed record VaeConfig
{
    /// <summary>Architecture family (default mlp).</summary>
    public Architecture Architecture { get; init; } = Architecture.Mlp;

    /// <summary>Shape of one input sample, e.g. [1, 28, 28] for MNIST.</summary>
    public int[] InputShape { get; init; } = [1, 28, 28];

    /// <summary>Hidden layer sizes of the encoder; the decoder mirrors them (default [400], as in the PyTorch example).</summary>
    public int[] HiddenSizes { get; init; } = [400];

    /// <summary>Activation between layers: relu, leaky_relu, elu, silu, gelu, tanh (default relu).</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>Dimension of z (default 20).</summary>
    public int LatentSize { get; init; } = 20;

    /// <summary>Observation model (default bernoulli).</summary>
    public Likelihood Likelihood { get; init; } = Likelihood.Bernoulli;

    /// <summary>Fixed σ of the Gaussian likelihood (ignored for Bernoulli).</summary>
    public double GaussianSigma { get; init; } = 1.0;

    /// <summary>Values per input sample.</summary>
    [JsonIgnore]
    public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Checks sizes and names; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public VaeConfig Validate()
    {
        if (InputShape.Length == 0 || InputShape.Any(d => d <= 0))
            throw new ArgumentException($"{nameof(InputShape)} is [{string.Join(", ", InputShape)}]; expected positive dimensions such as [1, 28, 28].", nameof(InputShape));
        if (HiddenSizes.Any(h => h <= 0))
            throw new ArgumentException($"{nameof(HiddenSizes)} is [{string.Join(", ", HiddenSizes)}]; every size must be positive.", nameof(HiddenSizes));
        if (LatentSize <= 0)
            throw new ArgumentException($"{nameof(LatentSize)} is {LatentSize}; expected a positive size.", nameof(LatentSize));
        if (!Activations.Names.Contains(Activation))
            throw new ArgumentException($"{nameof(Activation)} is '{Activation}'; expected one of {string.Join(", ", Activations.Names)}.", nameof(Activation));
        if (GaussianSigma <= 0)
            throw new ArgumentException($"{nameof(GaussianSigma)} is {GaussianSigma}; expected > 0.", nameof(GaussianSigma));
        return this;
    }

    /// <summary>JSON options shared by every config file (snake_case names, enums as strings).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
