using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>One forward pass: the decoder output, the posterior parameters and the sampled z.</summary>
public sealed record VaeOutput(Tensor Output, Tensor Mean, Tensor Logvar, Tensor Z);

/// <summary>
/// The pieces of a VAE that become the two ONNX graphs. The encoder graph is
/// x → <see cref="EncoderBody"/> → (<see cref="MeanHead"/> → mean, <see cref="LogvarHead"/> → logvar);
/// the decoder graph is z → <see cref="Decoder"/> → output.
/// </summary>
/// <param name="EncoderInputShape">Shape of one encoder input x as the graph sees it (e.g. [784] for an MLP).</param>
/// <param name="Classes">Conditional models: number of classes (&gt; 0). Both graphs then take a second input
/// <c>y</c> [batch, Classes] (one-hot), concatenated on axis 1 to the encoder body's output before the heads
/// and to z before the decoder. 0 for unconditional models.</param>
/// <param name="PixelLogvar">Gaussian likelihood with a learned per-pixel log-variance: the parameter
/// (shape [InputSize], independent of z). The decoder graph then has a second output <c>logvar</c>
/// [batch, ...] next to <c>mean</c>. Null for Bernoulli and fixed-σ Gaussian models.</param>
public sealed record VaeGraphLayout(
    nn.Module EncoderBody,
    nn.Module MeanHead,
    nn.Module LogvarHead,
    nn.Module Decoder,
    int[] EncoderInputShape,
    int Classes = 0,
    Tensor? PixelLogvar = null);

/// <summary>
/// Base of every VAE: encoder q(z|x) = N(mean, exp(logvar)), reparameterisation, decoder p(x|z)
/// (Kingma &amp; Welling, 2014).
/// </summary>
public abstract class VaeModule : nn.Module
{
    protected VaeModule(string name, VaeConfig config) : base(name)
    {
        Config = config.Validate();
    }

    /// <summary>The configuration this model was built from.</summary>
    public VaeConfig Config { get; }

    /// <summary>How raw data was turned into this model's training inputs, or null when unknown: set by
    /// <see cref="Training.Trainer.Fit"/> from the training data, saved beside checkpoints (normalization.json) and read
    /// back by <see cref="Training.Checkpoint.Load"/>; the exporter writes it into the model's metadata.</summary>
    public Vae.Inference.InputNormalization? InputNormalization { get; set; }

    /// <summary>Posterior parameters of q(z|x[, y]) for a batch x of shape [B, ...InputShape];
    /// <paramref name="y"/> is the one-hot label [B, Classes] of conditional models, null otherwise.</summary>
    public abstract (Tensor Mean, Tensor Logvar) Encode(Tensor x, Tensor? y = null);

    /// <summary>Decoder output for z [B, LatentSize] (and y for conditional models): logits (Bernoulli) or
    /// means (Gaussian), shape [B, InputSize] or [B, ...InputShape].</summary>
    public abstract Tensor Decode(Tensor z, Tensor? y = null);

    /// <summary>The modules that make up the encoder and decoder graphs, for ONNX export.</summary>
    public abstract VaeGraphLayout GraphLayout { get; }

    /// <summary>z = mean + exp(logvar / 2) · ε, ε ~ N(0, I).</summary>
    public static Tensor Reparameterize(Tensor mean, Tensor logvar, Generator? generator = null)
    {
        Tensor std = (0.5 * logvar).exp();
        Tensor eps = generator is null ? randn_like(std) : randn(std.shape, dtype: std.dtype, device: std.device, generator: generator);
        return mean + std * eps;
    }

    /// <summary>Encode, sample z, decode.</summary>
    public VaeOutput Forward(Tensor x, Tensor? y = null, Generator? generator = null)
    {
        var (mean, logvar) = Encode(x, y);
        Tensor z = Reparameterize(mean, logvar, generator);
        return new VaeOutput(Decode(z, y), mean, logvar, z);
    }

    /// <summary>Throws when a label is passed to an unconditional model.</summary>
    protected static void RequireNoLabel(Tensor? y, string model)
    {
        if (y is not null) throw new ArgumentException($"{model} is not conditional; pass no label (y).", nameof(y));
    }
}
