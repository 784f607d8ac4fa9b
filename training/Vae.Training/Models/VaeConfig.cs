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
public sealed record VaeConfig
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

    /// <summary>Observation model (default bernoulli).</summary>
    public Likelihood Likelihood { get; init; } = Likelihood.Bernoulli;

    /// <summary>Fixed σ of the Gaussian likelihood (ignored for Bernoulli and when <see cref="LearnVariance"/> is set).</summary>
    public double GaussianSigma { get; init; } = 1.0;

    /// <summary>Gaussian likelihood: learn a per-pixel log-variance (parameter <c>pixel_logvar</c>, shape [InputSize]).</summary>
    public bool LearnVariance { get; init; }

    /// <summary>Bernoulli likelihood: train on dynamically binarised pixels (x ~ Bernoulli(pixel), re-sampled every batch).</summary>
    public bool Binarize { get; init; }

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
