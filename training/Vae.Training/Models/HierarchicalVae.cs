using TorchSharp;
using TorchSharp.Modules;
using Vae.Training.Losses;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>
/// A VAE with L stochastic layers in the layout of Burda et al. (2016), "Importance Weighted Autoencoders", appendix C:
/// inference q(z_1|x) q(z_2|z_1) … q(z_L|z_{L−1}), generation p(z_L) p(z_{L−1}|z_L) … p(x|z_1), every conditional a diagonal
/// Gaussian made of fully connected layers (Bernoulli or fixed-σ Gaussian for x). The prior p(z_L) is N(0, I) or the
/// VampPrior (Tomczak &amp; Welling, 2018) of <see cref="HierarchyConfig.PseudoInputs"/> learned pseudo-inputs.
/// </summary>
/// <remarks>
/// Modules, by state_dict name: <c>encoder_l</c> (hidden layers below z_l) with heads <c>encoder_l_mean</c> and
/// <c>encoder_l_logvar</c>; <c>decoder_l</c> for l ≥ 2 (hidden layers above z_{l−1}) with heads <c>decoder_l_mean</c> and
/// <c>decoder_l_logvar</c>; <c>decoder_1</c>, z_1 to the data; and <c>pseudo_inputs</c> [K, InputSize] for the VampPrior.
/// As a <see cref="VaeModule"/>, <see cref="Encode"/> and <see cref="Decode"/> work on the top layer along the mean path
/// (every lower layer at its conditional mean): what the exported pair computes, and what embeddings are.
/// </remarks>
public sealed class HierarchicalVae : VaeModule
{
    private readonly Sequential[] encoders;
    private readonly Linear[] encoderMeans, encoderLogvars;
    private readonly Sequential[] decoders;          // [l − 2] for l = 2..L: z_l → hidden
    private readonly Linear[] decoderMeans, decoderLogvars;
    private readonly Sequential decoder_1;
    private readonly Parameter? pseudo_inputs;

    public HierarchicalVae(VaeConfig config) : base(nameof(HierarchicalVae), config)
    {
        if (Config.Architecture != Architecture.Hierarchical)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(VaeConfig.Architecture)} is {Config.Architecture}; {nameof(HierarchicalVae)} needs hierarchical.", nameof(config));
        HierarchyConfig hierarchy = Config.HierarchyOrDefault;
        StochasticLayer[] layers = hierarchy.Layers;
        LatentSizes = hierarchy.LatentSizes;
        Prior = hierarchy.Prior;
        int count = layers.Length;
        encoders = new Sequential[count];
        encoderMeans = new Linear[count];
        encoderLogvars = new Linear[count];
        decoders = new Sequential[count - 1];
        decoderMeans = new Linear[count - 1];
        decoderLogvars = new Linear[count - 1];
        for (int l = 0; l < count; l++)
        {
            int below = l == 0 ? Config.InputSize : layers[l - 1].LatentSize;
            int[] hidden = layers[l].HiddenSizes;
            int last = hidden.Length > 0 ? hidden[^1] : below;
            encoders[l] = Stack(below, hidden, activateLast: true);
            encoderMeans[l] = nn.Linear(last, layers[l].LatentSize);
            encoderLogvars[l] = nn.Linear(last, layers[l].LatentSize);
            register_module($"encoder_{l + 1}", encoders[l]);
            register_module($"encoder_{l + 1}_mean", encoderMeans[l]);
            register_module($"encoder_{l + 1}_logvar", encoderLogvars[l]);
        }
        for (int l = count - 1; l >= 1; l--)
        {
            int[] hidden = [.. layers[l].HiddenSizes.Reverse()];
            int last = hidden.Length > 0 ? hidden[^1] : layers[l].LatentSize;
            decoders[l - 1] = Stack(layers[l].LatentSize, hidden, activateLast: true);
            decoderMeans[l - 1] = nn.Linear(last, layers[l - 1].LatentSize);
            decoderLogvars[l - 1] = nn.Linear(last, layers[l - 1].LatentSize);
            register_module($"decoder_{l + 1}", decoders[l - 1]);
            register_module($"decoder_{l + 1}_mean", decoderMeans[l - 1]);
            register_module($"decoder_{l + 1}_logvar", decoderLogvars[l - 1]);
        }
        decoder_1 = Stack(layers[0].LatentSize, [.. layers[0].HiddenSizes.Reverse(), Config.InputSize], activateLast: false);
        register_module(nameof(decoder_1), decoder_1);
        if (Prior == PriorKind.Vamp)
        {
            // Tomczak & Welling's start for binary images: every pseudo-pixel near 0.05, inside the clamp so it gets gradients
            Tensor start = Config.Likelihood == Likelihood.Bernoulli
                ? 0.05 + 0.01 * randn(hierarchy.PseudoInputs, Config.InputSize)
                : 0.01 * randn(hierarchy.PseudoInputs, Config.InputSize);
            pseudo_inputs = new Parameter(start);
            register_parameter(nameof(pseudo_inputs), pseudo_inputs);
        }
    }

    /// <summary>Latent sizes from the data up (the last is <see cref="VaeConfig.LatentSize"/>).</summary>
    public IReadOnlyList<int> LatentSizes { get; }

    /// <summary>Number L of stochastic layers.</summary>
    public int Layers => LatentSizes.Count;

    /// <summary>The prior of the top layer.</summary>
    public PriorKind Prior { get; }

    /// <summary>q(z_l | below) for <paramref name="layer"/> l in 1..L: <paramref name="below"/> is x flattened to [..., InputSize]
    /// for l = 1, else z_{l−1} [..., LatentSizes[l − 2]]. Any leading axes.</summary>
    public (Tensor Mean, Tensor Logvar) Posterior(int layer, Tensor below)
    {
        CheckLayer(layer, 1, Layers);
        using var scope = NewDisposeScope();
        Tensor h = encoders[layer - 1].forward(below);
        return (encoderMeans[layer - 1].forward(h).MoveToOuterDisposeScope(), encoderLogvars[layer - 1].forward(h).MoveToOuterDisposeScope());
    }

    /// <summary>p(z_l | z_{l+1}) for <paramref name="layer"/> l in 1..L − 1, from <paramref name="above"/> = z_{l+1}. Any leading axes.</summary>
    public (Tensor Mean, Tensor Logvar) Conditional(int layer, Tensor above)
    {
        CheckLayer(layer, 1, Layers - 1);
        using var scope = NewDisposeScope();
        Tensor h = decoders[layer - 1].forward(above);
        return (decoderMeans[layer - 1].forward(h).MoveToOuterDisposeScope(), decoderLogvars[layer - 1].forward(h).MoveToOuterDisposeScope());
    }

    /// <summary>p(x | z_1): logits (Bernoulli) or means (Gaussian) [..., InputSize] for z_1 [..., LatentSizes[0]].</summary>
    public Tensor DecodeData(Tensor z1) => decoder_1.forward(z1);

    /// <summary>The VampPrior's pseudo-inputs u_k as the encoder reads them, [K, InputSize]: clamped to [0, 1] for a Bernoulli
    /// likelihood (Tomczak &amp; Welling's hardtanh); null for the standard normal prior.</summary>
    public Tensor? PseudoInputs() => pseudo_inputs is null ? null
        : Config.Likelihood == Likelihood.Bernoulli ? pseudo_inputs.clamp(0, 1) : pseudo_inputs.alias();

    /// <summary>The VampPrior's components q(z_L | u_k): means and log-variances [K, LatentSize], the pseudo-inputs encoded
    /// along the mean path (as <see cref="Encode"/>); null for the standard normal prior.</summary>
    public (Tensor Mean, Tensor Logvar)? PriorComponents()
    {
        if (pseudo_inputs is null) return null;
        using var scope = NewDisposeScope();
        var (mean, logvar) = Encode(PseudoInputs()!);
        return (mean.MoveToOuterDisposeScope(), logvar.MoveToOuterDisposeScope());
    }

    /// <summary>log p(z_L) summed over the latent axis for z_L [..., LatentSize]: N(0, I), or the VampPrior
    /// log (1/K) Σ_k N(z; μ_k, σ_k²) with the given <paramref name="components"/> (from <see cref="PriorComponents"/>, computed once per batch).</summary>
    public Tensor LogPrior(Tensor zTop, (Tensor Mean, Tensor Logvar)? components)
    {
        if (Prior == PriorKind.StandardNormal) return Gaussians.LogStandardNormal(zTop);
        var (mean, logvar) = components ?? throw new ArgumentException("the VampPrior needs its components (PriorComponents()).", nameof(components));
        using var scope = NewDisposeScope();
        Tensor perComponent = Gaussians.LogDensityPerComponent(zTop.reshape(-1, zTop.shape[^1]), mean, logvar);   // [N, K]
        long[] batchShape = zTop.shape[..^1];
        return (perComponent.logsumexp(-1) - Math.Log(mean.shape[0])).reshape(batchShape).to(zTop.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The top layer's posterior along the mean path: every layer below at the mean of q.</summary>
    public override (Tensor Mean, Tensor Logvar) Encode(Tensor x, Tensor? y = null)
    {
        RequireNoLabel(y, nameof(HierarchicalVae));
        using var scope = NewDisposeScope();
        Tensor h = x.flatten(1);
        for (int l = 1; l < Layers; l++) h = Posterior(l, h).Mean;
        var (mean, logvar) = Posterior(Layers, h);
        return (mean.MoveToOuterDisposeScope(), logvar.MoveToOuterDisposeScope());
    }

    /// <summary>The decoder output for a top-layer z along the mean path: every layer below at the mean of p.</summary>
    public override Tensor Decode(Tensor z, Tensor? y = null)
    {
        RequireNoLabel(y, nameof(HierarchicalVae));
        using var scope = NewDisposeScope();
        Tensor h = z;
        for (int l = Layers - 1; l >= 1; l--) h = Conditional(l, h).Mean;
        return DecodeData(h).MoveToOuterDisposeScope();
    }

    /// <summary>The bottom layer (encoder_1 with its heads, decoder_1): what <see cref="Training.OutputBias"/> reads. The
    /// exporter builds this family's graphs itself (<see cref="Onnx.HierarchicalOnnxGraphs"/>).</summary>
    public override VaeGraphLayout GraphLayout =>
        new(encoders[0], encoderMeans[0], encoderLogvars[0], decoder_1, [Config.InputSize]);

    /// <summary>
    /// Ancestral samples: z_L from the prior (a uniformly chosen VampPrior component), each z_l ~ p(z_l | z_{l+1}), then the
    /// mean of p(x | z_1): probabilities (Bernoulli) or means (Gaussian), shape [count, ...InputShape]. The caller disposes it.
    /// </summary>
    public Tensor Sample(int count, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor z = SamplePrior(count, generator);
        for (int l = Layers - 1; l >= 1; l--)
        {
            var (mean, logvar) = Conditional(l, z);
            z = Reparameterize(mean, logvar, generator);
        }
        Tensor output = DecodeData(z);
        if (Config.Likelihood == Likelihood.Bernoulli) output = output.sigmoid();
        return output.reshape([count, .. Config.InputShape.Select(d => (long)d)]).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="count"/> draws of z_L from the prior, [count, LatentSize]. The caller disposes them.</summary>
    public Tensor SamplePrior(int count, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var scope = NewDisposeScope();
        if (PriorComponents() is not { } components)
            return randn([count, Config.LatentSize], generator: generator).MoveToOuterDisposeScope();
        var (mean, logvar) = components;
        Tensor chosen = randint(mean.shape[0], [count], dtype: ScalarType.Int64, generator: generator);
        return Reparameterize(mean.index_select(0, chosen), logvar.index_select(0, chosen), generator).MoveToOuterDisposeScope();
    }

    /// <summary>The modules of q(z_l | below), for the exporter.</summary>
    internal (nn.Module Body, nn.Module Mean, nn.Module Logvar) PosteriorModules(int layer)
    {
        CheckLayer(layer, 1, Layers);
        return (encoders[layer - 1], encoderMeans[layer - 1], encoderLogvars[layer - 1]);
    }

    /// <summary>The modules of p(z_l | z_{l+1}), for the exporter.</summary>
    internal (nn.Module Body, nn.Module Mean, nn.Module Logvar) ConditionalModules(int layer)
    {
        CheckLayer(layer, 1, Layers - 1);
        return (decoders[layer - 1], decoderMeans[layer - 1], decoderLogvars[layer - 1]);
    }

    /// <summary>The module of p(x | z_1), for the exporter.</summary>
    internal nn.Module DataDecoder => decoder_1;

    /// <summary>The raw pseudo-input parameter [K, InputSize] (before the clamp), for the exporter; null for the standard normal prior.</summary>
    internal Tensor? PseudoInputParameter => pseudo_inputs;

    private Sequential Stack(int inputSize, IReadOnlyList<int> sizes, bool activateLast)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int previous = inputSize;
        for (int i = 0; i < sizes.Count; i++)
        {
            layers.Add(nn.Linear(previous, sizes[i]));
            if (activateLast || i < sizes.Count - 1) layers.Add(Activations.Create(Config.Activation));
            previous = sizes[i];
        }
        return nn.Sequential(layers);
    }

    private static void CheckLayer(int layer, int min, int max)
    {
        if (layer < min || layer > max)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"expected a layer from {min} to {max}.");
    }
}
