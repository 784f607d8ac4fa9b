using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vae.Training.Models;

/// <summary>Observation model p(x|z).</summary>
public enum Likelihood
{
    /// <summary>Bernoulli with logits; targets in [0, 1] (or binarised). Decoder output: <c>logits</c>.</summary>
    Bernoulli,
    /// <summary>Gaussian with a fixed σ (MSE up to constants) or a learned per-pixel log-variance. Decoder output: <c>mean</c>.</summary>
    Gaussian,
}

/// <summary>What the model is trained to be.</summary>
public enum Objective
{
    /// <summary>A variational autoencoder: z is sampled from q(z|x) and the loss is the −ELBO (reconstruction + β·KL).</summary>
    Elbo,
    /// <summary>
    /// A deterministic autoencoder of the same architecture: z is the encoder's mean, the loss the reconstruction term
    /// alone (no sampling, no KL). The log-variance head is fixed at <see cref="VaeConfig.AutoencoderLogvar"/> (a point
    /// mass at the mean), so the exported pair works with every operation of a VAE; its prior samples show what an
    /// autoencoder without a prior makes of z ~ N(0, I).
    /// </summary>
    Autoencoder,
}

/// <summary>How a conditional model uses its label.</summary>
public enum Conditioning
{
    /// <summary>The one-hot label is concatenated to the encoder's features (before the heads) and to z (before the decoder),
    /// with the prior N(0, I) for every class (Sohn et al., 2015). With a 20-D latent such a model keeps the class in z and
    /// largely ignores the label: on MNIST about a third of its samples are of the class asked for. Conditional models saved
    /// before this setting existed are read this way.</summary>
    Concat,
    /// <summary>
    /// A learned prior per class, p(z|y) = N(μ_y, diag σ_y²), and a decoder whose first layer is specific to the class: it
    /// reads the outer product y ⊗ z (and y), so each class has its own map from z to the first hidden layer. The encoder
    /// still reads the label beside its features. Both graphs work in the standardised code ε = (z − μ_y) / σ_y, which is
    /// N(0, I) under every class's prior: the encoder reports the posterior of ε, the decoder maps ε back to z. Sampling
    /// ε ~ N(0, I) with label c therefore draws from class c's own region of the latent, which the decoder's class-c layer
    /// was trained on. On MNIST (latent 20, 10 epochs) about nine samples in ten are then of the class asked for.
    /// </summary>
    ClassPrior,
}

/// <summary>Architecture family.</summary>
public enum Architecture
{
    /// <summary>Fully connected encoder and decoder on flattened inputs (<see cref="MlpVae"/>).</summary>
    Mlp,
    /// <summary>Conv2d encoder, ConvTranspose2d decoder on [C, H, W] inputs (<see cref="ConvVae"/>).</summary>
    Conv,
    /// <summary>Fully connected, with several stochastic layers and a choice of prior (<see cref="HierarchicalVae"/>, <see cref="VaeConfig.Hierarchy"/>).</summary>
    Hierarchical,
}

/// <summary>
/// Everything needed to rebuild a VAE's modules. Saved as <c>config.json</c> beside every checkpoint;
/// loading a checkpoint without it is refused. <see cref="Architecture"/> picks the model; its own
/// settings are <see cref="HiddenSizes"/> (MLP) or <see cref="Conv"/> (convolutional); both become
/// conditional when <see cref="Classes"/> &gt; 0.
/// </summary>
public sealed record VaeConfig : IJsonOnDeserializing
{
    /// <summary>Architecture family (default mlp).</summary>
    public Architecture Architecture { get; init; } = Architecture.Mlp;

    /// <summary>Shape of one input sample, e.g. [1, 28, 28] for MNIST or [3, 32, 32] for CIFAR-sized images.</summary>
    public int[] InputShape { get; init; } = [1, 28, 28];

    /// <summary>MLP: hidden layer sizes of the encoder; the decoder mirrors them (default [400], as in the PyTorch example).</summary>
    public int[] HiddenSizes { get; init; } = [400];

    /// <summary>Convolutional settings; used when <see cref="Architecture"/> is conv (defaults when null).</summary>
    public ConvConfig? Conv { get; init; }

    /// <summary>Stochastic layers and prior; used when <see cref="Architecture"/> is hierarchical (defaults when null).</summary>
    public HierarchyConfig? Hierarchy { get; init; }

    /// <summary>Activation between layers: relu, leaky_relu, elu, silu, gelu, tanh (default relu).</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>Dimension of z (default 20).</summary>
    public int LatentSize { get; init; } = 20;

    /// <summary>Conditional VAE: number of classes of the one-hot label y given to encoder and decoder; 0 for none.</summary>
    public int Classes { get; init; }

    /// <summary>How a conditional model (<see cref="Classes"/> &gt; 0) uses its label (default <see cref="Conditioning.ClassPrior"/>,
    /// what <c>vae train --conditional</c> builds); ignored for unconditional models. config.json holds it for conditional models
    /// only, and a conditional config.json without it (written before it existed) means <see cref="Conditioning.Concat"/>.</summary>
    [JsonIgnore]
    public Conditioning Conditioning { get => conditioning; init => conditioning = value; }

    private Conditioning conditioning = Conditioning.ClassPrior;

    /// <summary><see cref="Conditioning"/> as config.json holds it: written for conditional models only.</summary>
    [JsonInclude, JsonPropertyName("conditioning"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private Conditioning? ConditioningInFile
    {
        get => Classes > 0 ? conditioning : null;
        init => conditioning = value ?? Conditioning.Concat;
    }

    /// <summary>Before a config file is read: a file without <c>conditioning</c> predates it, so its model concatenated the label.</summary>
    void IJsonOnDeserializing.OnDeserializing() => conditioning = Conditioning.Concat;

    /// <summary>True when the model has a learned class prior and a class-specific first decoder layer.</summary>
    [JsonIgnore]
    public bool HasClassPrior => Classes > 0 && Conditioning == Conditioning.ClassPrior;

    /// <summary>Values the decoder's first layer reads: z and the one-hot label, or y ⊗ z and y with a class prior.</summary>
    [JsonIgnore]
    public int DecoderInputSize => HasClassPrior ? checked((LatentSize + 1) * Classes) : LatentSize + Classes;

    /// <summary>Observation model (default bernoulli).</summary>
    public Likelihood Likelihood { get; init; } = Likelihood.Bernoulli;

    /// <summary>Fixed σ of the Gaussian likelihood (ignored for Bernoulli and when <see cref="LearnVariance"/> is set).</summary>
    public double GaussianSigma { get; init; } = 1.0;

    /// <summary>Gaussian likelihood: learn a per-pixel log-variance (parameter <c>pixel_logvar</c>, shape [InputSize]).</summary>
    public bool LearnVariance { get; init; }

    /// <summary>Bernoulli likelihood: train on dynamically binarised pixels (x ~ Bernoulli(pixel), re-sampled every batch).</summary>
    public bool Binarize { get; init; }

    /// <summary>Variational autoencoder (default) or a deterministic autoencoder of the same architecture (<c>--objective ae</c>).
    /// Left out of config.json when it is the default, so the files of VAEs stay as they were.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public Objective Objective { get; init; } = Objective.Elbo;

    /// <summary>The log-variance a deterministic autoencoder's encoder reports for every code: σ = e^−15 ≈ 3·10⁻⁷, a point mass.</summary>
    public const float AutoencoderLogvar = -30f;

    /// <summary>Values per input sample (at most <see cref="WeightLimits.MaxWeightValues"/> in a validated config).</summary>
    /// <exception cref="OverflowException">The config is not validated and its shape holds more than int.MaxValue values.</exception>
    [JsonIgnore]
    public int InputSize => InputShape.Aggregate(1, (a, b) => checked(a * b));

    /// <summary>The convolutional settings in effect (<see cref="Conv"/> or the defaults).</summary>
    [JsonIgnore]
    public ConvConfig ConvOrDefault => Conv ?? new ConvConfig();

    /// <summary>The hierarchy in effect (<see cref="Hierarchy"/> or the defaults).</summary>
    [JsonIgnore]
    public HierarchyConfig HierarchyOrDefault => Hierarchy ?? new HierarchyConfig();

    /// <summary>Checks sizes and names, and that no layer's weight exceeds <see cref="WeightLimits.MaxWeightValues"/>;
    /// throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public VaeConfig Validate()
    {
        // A config.json can hold "input_shape": null or an enum number (7): refuse them here rather than fail later.
        if (!Enum.IsDefined(Architecture))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Architecture)} is {(int)Architecture}; expected mlp, conv or hierarchical.", nameof(Architecture));
        if (!Enum.IsDefined(Conditioning))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Conditioning)} is {(int)Conditioning}; expected concat or class_prior.", nameof(Conditioning));
        if (!Enum.IsDefined(Objective))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Objective)} is {(int)Objective}; expected elbo or autoencoder.", nameof(Objective));
        if (!Enum.IsDefined(Likelihood))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Likelihood)} is {(int)Likelihood}; expected bernoulli or gaussian.", nameof(Likelihood));
        if (InputShape is null)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(InputShape)} is missing (null); expected positive dimensions such as [1, 28, 28].", nameof(InputShape));
        if (HiddenSizes is null)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(HiddenSizes)} is missing (null); expected a list of sizes such as [400] ([] for none).", nameof(HiddenSizes));
        if (InputShape.Length == 0 || InputShape.Any(d => d <= 0))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(InputShape)} is [{string.Join(", ", InputShape)}]; expected positive dimensions such as [1, 28, 28].", nameof(InputShape));
        if (HiddenSizes.Any(h => h <= 0))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(HiddenSizes)} is [{string.Join(", ", HiddenSizes)}]; every size must be positive.", nameof(HiddenSizes));
        if (LatentSize <= 0)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(LatentSize)} is {LatentSize}; expected a positive size.", nameof(LatentSize));
        if (Classes < 0)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Classes)} is {Classes}; expected 0 (unconditional) or the number of classes.", nameof(Classes));
        if (!Activations.Names.Contains(Activation))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Activation)} is '{Activation}'; expected one of {string.Join(", ", Activations.Names)}.", nameof(Activation));
        if (!(GaussianSigma > 0))
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(GaussianSigma)} is {GaussianSigma}; expected > 0.", nameof(GaussianSigma));
        if (LearnVariance && Likelihood != Likelihood.Gaussian)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(LearnVariance)} needs the gaussian likelihood; the likelihood is {Likelihood}.", nameof(LearnVariance));
        if (Binarize && Likelihood != Likelihood.Bernoulli)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(Binarize)} needs the bernoulli likelihood; the likelihood is {Likelihood}.", nameof(Binarize));
        if (Architecture == Architecture.Conv)
        {
            if (InputShape.Length != 3)
                throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(InputShape)} is [{string.Join(", ", InputShape)}]; the conv architecture needs [C, H, W].", nameof(InputShape));
            ConvOrDefault.Validate();
        }
        if (Architecture == Architecture.Hierarchical) HierarchyOrDefault.Validate(this);
        WeightLimits.Check(this);
        return this;
    }

    /// <summary>Reads a config saved with <see cref="JsonOptions"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid config (the message names it).</exception>
    public static VaeConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; expected the {Path.GetFileName(path)} a checkpoint folder keeps beside its weights.", path);
        try
        {
            VaeConfig config = JsonSerializer.Deserialize<VaeConfig>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty; expected a VAE config object.");
            return config.Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a valid VAE config: {ExceptionText.Of(e)}", e);
        }
    }

    /// <summary>This config as indented JSON (snake_case names, enums as strings).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Value equality including the arrays (records compare arrays by reference).</summary>
    public bool SameAs(VaeConfig other) => ToJson() == other.ToJson();

    /// <summary>JSON options shared by every config file (snake_case names, enums as strings). A field given twice is
    /// an error when reading: which of the two the file means cannot be known.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        AllowDuplicateProperties = false,
    };

    /// <summary>How the project's JSON files are parsed as documents: a field given twice is an error (a JsonObject
    /// holding one fails later, on first access, with an ArgumentException).</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };
}

/// <summary>Settings of <see cref="ConvVae"/>: one Conv2d (kernel 3, padding 1) per entry of <see cref="Channels"/>
/// with the matching stride; the decoder mirrors them with ConvTranspose2d.</summary>
public sealed record ConvConfig
{
    /// <summary>Output channels of each encoder convolution (default [32, 64]).</summary>
    public int[] Channels { get; init; } = [32, 64];

    /// <summary>Stride of each convolution (default [2, 2]: 28×28 → 14×14 → 7×7).</summary>
    public int[] Strides { get; init; } = [2, 2];

    /// <summary>BatchNorm2d after every hidden convolution (default false).</summary>
    public bool BatchNorm { get; init; }

    /// <summary>Checks sizes; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public ConvConfig Validate()
    {
        if (Channels is null || Strides is null)
            throw new ArgumentException($"{nameof(ConvConfig)}.{(Channels is null ? nameof(Channels) : nameof(Strides))} is missing (null); the conv architecture expects one entry per convolution such as [32, 64] and [2, 2].",
                                        Channels is null ? nameof(Channels) : nameof(Strides));
        if (Channels.Length == 0 || Channels.Any(c => c <= 0))
            throw new ArgumentException($"{nameof(ConvConfig)}.{nameof(Channels)} is [{string.Join(", ", Channels)}]; expected at least one positive channel count.", nameof(Channels));
        if (Strides.Length != Channels.Length || Strides.Any(s => s is < 1 or > 3))
            throw new ArgumentException($"{nameof(ConvConfig)}.{nameof(Strides)} is [{string.Join(", ", Strides)}]; expected one stride of 1–3 per channel entry ({Channels.Length}).", nameof(Strides));
        return this;
    }
}
