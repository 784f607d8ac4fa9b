using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>
/// A VAE made of four standard TorchSharp modules, registered under the stable names <c>encoder</c>,
/// <c>fc_mean</c>, <c>fc_logvar</c>, <c>decoder</c> (state_dict keys and ONNX initializer names), plus
/// <c>pixel_logvar</c> for a Gaussian likelihood with learned variance. Encoder: x → encoder → (fc_mean, fc_logvar);
/// decoder: z → decoder. When <see cref="VaeConfig.Classes"/> &gt; 0 the one-hot label y [B, Classes] is
/// concatenated on axis 1 to the encoder output before the heads and to z before the decoder — exactly what
/// the exported graphs compute. With <see cref="Conditioning.ClassPrior"/> the model also holds the learned prior
/// <c>prior_mean</c> and <c>prior_logvar</c> [Classes, LatentSize], works in the standardised code ε = (z − μ_y) / σ_y and
/// feeds its decoder y ⊗ z and y.
/// </summary>
public abstract class LayeredVae : VaeModule
{
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> fc_mean;
    private readonly nn.Module<Tensor, Tensor> fc_logvar;
    private readonly nn.Module<Tensor, Tensor> decoder;
    private readonly Parameter? pixel_logvar;
    private readonly Parameter? prior_mean, prior_logvar;
    private readonly bool flattenInput;

    /// <param name="flattenInput">True when the encoder takes x flattened to [B, InputSize] (MLP); false for [B, C, H, W].</param>
    protected LayeredVae(string name, VaeConfig config, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> meanHead,
                         nn.Module<Tensor, Tensor> logvarHead, nn.Module<Tensor, Tensor> decoder, bool flattenInput)
        : base(name, config)
    {
        this.encoder = encoder;
        fc_mean = meanHead;
        fc_logvar = logvarHead;
        this.decoder = decoder;
        this.flattenInput = flattenInput;
        register_module(nameof(encoder), encoder);
        register_module(nameof(fc_mean), fc_mean);
        register_module(nameof(fc_logvar), fc_logvar);
        register_module(nameof(decoder), decoder);
        if (Config.LearnVariance)
        {
            pixel_logvar = new Parameter(zeros(Config.InputSize));
            register_parameter(nameof(pixel_logvar), pixel_logvar);
        }
        if (Config.HasClassPrior)
        {
            // N(0, I) for every class at the start: the model begins as the concatenating one, and learns where each class lives
            prior_mean = new Parameter(zeros(Config.Classes, Config.LatentSize));
            prior_logvar = new Parameter(zeros(Config.Classes, Config.LatentSize));
            register_parameter(nameof(prior_mean), prior_mean);
            register_parameter(nameof(prior_logvar), prior_logvar);
        }
        if (Config.Objective == Objective.Autoencoder) FixLogvarHead(fc_logvar);
    }

    /// <summary>A deterministic autoencoder's log-variance head: zero weights and a bias of <see cref="VaeConfig.AutoencoderLogvar"/>,
    /// frozen, so the encoder reports a point mass at the mean.</summary>
    private static void FixLogvarHead(nn.Module head)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in head.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) parameter.fill_(VaeConfig.AutoencoderLogvar);
            else parameter.zero_();
            parameter.requires_grad = false;
        }
    }

    /// <summary>Learned per-pixel log-variance [InputSize] of the Gaussian likelihood, or null.</summary>
    public Tensor? PixelLogvar => pixel_logvar;

    /// <inheritdoc/>
    public override (Tensor Mean, Tensor Logvar) Encode(Tensor x, Tensor? y = null)
    {
        CheckLabel(y, x.shape[0]);
        using var scope = NewDisposeScope();
        Tensor h = encoder.forward(flattenInput ? x.flatten(1) : x);
        if (y is not null) h = cat([h, y], 1);
        Tensor mean = fc_mean.forward(h), logvar = fc_logvar.forward(h);
        if (prior_mean is not null && y is not null)
        {
            // the posterior of ε = (z − μ_y) / σ_y: its KL to N(0, I) is the KL of q(z|x, y) to the class's prior
            Tensor priorLogvar = y.matmul(prior_logvar!);
            mean = (mean - y.matmul(prior_mean)) * (-0.5 * priorLogvar).exp();
            logvar = logvar - priorLogvar;
        }
        return (mean.MoveToOuterDisposeScope(), logvar.MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    /// <remarks>With a class prior, <paramref name="z"/> is the standardised code ε; the decoder reads z = μ_y + σ_y · ε as y ⊗ z and y.</remarks>
    public override Tensor Decode(Tensor z, Tensor? y = null)
    {
        CheckLabel(y, z.shape[0]);
        if (y is null) return decoder.forward(z);
        using var scope = NewDisposeScope();
        Tensor input;
        if (prior_mean is not null)
        {
            Tensor code = y.matmul(prior_mean) + (0.5 * y.matmul(prior_logvar!)).exp() * z;
            input = cat([(y.unsqueeze(2) * code.unsqueeze(1)).flatten(1), y], 1);
        }
        else input = cat([z, y], 1);
        return decoder.forward(input).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override VaeGraphLayout GraphLayout =>
        new(encoder, fc_mean, fc_logvar, decoder, flattenInput ? [Config.InputSize] : Config.InputShape, Config.Classes, pixel_logvar,
            prior_mean is null ? null : (prior_mean, prior_logvar!));

    /// <summary>
    /// Draws <paramref name="count"/> z ~ N(0, I) and decodes them (for class <paramref name="label"/> in a
    /// conditional model): pixel probabilities (Bernoulli) or means (Gaussian), shape [count, ...InputShape].
    /// The caller disposes the result.
    /// </summary>
    public Tensor Sample(int count, int? label = null, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (Config.Classes > 0 && label is null)
            throw new ArgumentException($"the model is conditional on {Config.Classes} classes; pass a label in 0..{Config.Classes - 1}.", nameof(label));
        if (label is { } l && (l < 0 || l >= Config.Classes))
            throw new ArgumentException($"label is {l}; expected 0..{Config.Classes - 1} ({Config.Classes} classes).", nameof(label));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor z = randn([count, Config.LatentSize], generator: generator);
        Tensor? y = label is { } c ? OneHot(full([count], c, ScalarType.Int64), Config.Classes) : null;
        Tensor output = Decode(z, y);
        if (Config.Likelihood == Likelihood.Bernoulli) output = output.sigmoid();
        return output.reshape([count, .. Config.InputShape.Select(d => (long)d)]).MoveToOuterDisposeScope();
    }

    /// <summary>One-hot float labels [B, classes] from integer labels [B].</summary>
    public static Tensor OneHot(Tensor labels, int classes) =>
        nn.functional.one_hot(labels.to_type(ScalarType.Int64), classes).to_type(ScalarType.Float32);

    private void CheckLabel(Tensor? y, long batch)
    {
        if (Config.Classes == 0)
        {
            RequireNoLabel(y, GetType().Name);
            return;
        }
        if (y is null)
            throw new ArgumentException($"{GetType().Name} is conditional on {Config.Classes} classes; pass the one-hot label y [B, {Config.Classes}].", nameof(y));
        if (y.dim() != 2 || y.shape[0] != batch || y.shape[1] != Config.Classes)
            throw new ArgumentException($"y has shape [{string.Join(", ", y.shape)}]; expected [{batch}, {Config.Classes}] (one-hot).", nameof(y));
    }

    /// <summary>Linear layers with <paramref name="activation"/> between them (and after the last when <paramref name="activateLast"/>).</summary>
    protected static Sequential LinearStack(int inputSize, IReadOnlyList<int> sizes, string activation, bool activateLast)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int previous = inputSize;
        for (int i = 0; i < sizes.Count; i++)
        {
            layers.Add(nn.Linear(previous, sizes[i]));
            if (activateLast || i < sizes.Count - 1) layers.Add(Activations.Create(activation));
            previous = sizes[i];
        }
        return nn.Sequential(layers);
    }
}
