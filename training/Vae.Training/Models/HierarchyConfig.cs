using System.Globalization;
using System.Text.Json.Serialization;

namespace Vae.Training.Models;

/// <summary>The distribution of the top latent layer, p(z_L).</summary>
public enum PriorKind
{
    /// <summary>N(0, I): its KL to a Gaussian posterior is analytic.</summary>
    StandardNormal,
    /// <summary>VampPrior (Tomczak &amp; Welling, 2018): the mixture (1/K) Σ_k q(z_L | u_k) of the encoder's posteriors at K
    /// learned pseudo-inputs u_k; its KL is a Monte Carlo term.</summary>
    Vamp,
}

/// <summary>One stochastic layer of a <see cref="HierarchicalVae"/>: the deterministic layers between it and the layer
/// below (the data for layer 1) and its latent size. The generative side mirrors the hidden sizes.</summary>
public sealed record StochasticLayer
{
    /// <summary>Hidden sizes of the deterministic layers from the layer below to this one (default [200, 200]).</summary>
    public int[] HiddenSizes { get; init; } = [200, 200];

    /// <summary>Dimension of this layer's z (default 100).</summary>
    public int LatentSize { get; init; } = 100;
}

/// <summary>
/// Settings of <see cref="HierarchicalVae"/>: stochastic layers from the data up (Burda et al., 2016: 784-(200-200)-100-(100-100)-50
/// by default) and the prior of the top layer. <see cref="VaeConfig.LatentSize"/> must be the top layer's size.
/// </summary>
public sealed record HierarchyConfig
{
    /// <summary>Stochastic layers from the data up; the last is the top layer, whose prior is <see cref="Prior"/>.</summary>
    public StochasticLayer[] Layers { get; init; } =
    [
        new() { HiddenSizes = [200, 200], LatentSize = 100 },
        new() { HiddenSizes = [100, 100], LatentSize = 50 },
    ];

    /// <summary>Prior of the top layer (default standard normal).</summary>
    public PriorKind Prior { get; init; } = PriorKind.StandardNormal;

    /// <summary>VampPrior: number K of learned pseudo-inputs (default 500, as Tomczak &amp; Welling on MNIST).</summary>
    public int PseudoInputs { get; init; } = 500;

    /// <summary>Latent sizes from the data up.</summary>
    [JsonIgnore]
    public int[] LatentSizes => Layers.Select(l => l.LatentSize).ToArray();

    /// <summary>Checks layers and prior against <paramref name="owner"/>; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public HierarchyConfig Validate(VaeConfig owner)
    {
        const string name = nameof(VaeConfig.Hierarchy);
        if (Layers is null || Layers.Length == 0 || Layers.Any(l => l is null))
            throw new ArgumentException($"{nameof(HierarchyConfig)}.{nameof(Layers)} is {(Layers is null ? "missing (null)" : "empty or holds null")}; expected one or more stochastic layers such as 200,200:100/100,100:50.", name);
        for (int i = 0; i < Layers.Length; i++)
        {
            StochasticLayer l = Layers[i];
            if (l.HiddenSizes is null || l.HiddenSizes.Any(h => h <= 0))
                throw new ArgumentException($"{nameof(HierarchyConfig)}.{nameof(Layers)}[{i}].{nameof(StochasticLayer.HiddenSizes)} is {Describe(l.HiddenSizes)}; expected positive sizes ([] for none).", name);
            if (l.LatentSize <= 0)
                throw new ArgumentException($"{nameof(HierarchyConfig)}.{nameof(Layers)}[{i}].{nameof(StochasticLayer.LatentSize)} is {l.LatentSize}; expected a positive size.", name);
        }
        if (!Enum.IsDefined(Prior))
            throw new ArgumentException($"{nameof(HierarchyConfig)}.{nameof(Prior)} is {(int)Prior}; expected standard_normal or vamp.", name);
        if (Prior == PriorKind.Vamp && PseudoInputs <= 0)
            throw new ArgumentException($"{nameof(HierarchyConfig)}.{nameof(PseudoInputs)} is {PseudoInputs}; the VampPrior needs at least one pseudo-input.", name);
        if (owner.LatentSize != Layers[^1].LatentSize)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(VaeConfig.LatentSize)} is {owner.LatentSize}; a hierarchical model's latent size is its top layer's, {Layers[^1].LatentSize}.", nameof(VaeConfig.LatentSize));
        if (owner.Classes > 0)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(VaeConfig.Classes)} is {owner.Classes}; the hierarchical architecture is not conditional (use mlp or conv for a conditional VAE).", nameof(VaeConfig.Classes));
        if (owner.Objective == Objective.Autoencoder)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(VaeConfig.Objective)} is {owner.Objective}; the hierarchical architecture is a VAE (use mlp or conv for a deterministic autoencoder).", nameof(VaeConfig.Objective));
        if (owner.LearnVariance)
            throw new ArgumentException($"{nameof(VaeConfig)}.{nameof(VaeConfig.LearnVariance)} is set; the hierarchical architecture has a Bernoulli or fixed-σ Gaussian likelihood.", nameof(VaeConfig.LearnVariance));
        return this;
    }

    /// <summary>The layers in the CLI's form, e.g. "200,200:100/100,100:50".</summary>
    public string Format() => string.Join("/", Layers.Select(l => $"{string.Join(",", l.HiddenSizes)}:{l.LatentSize}"));

    /// <summary>Parses the CLI's form "hidden,hidden:latent/hidden:latent/…" (layers from the data up; ":latent" alone for no hidden layer).</summary>
    /// <exception cref="ArgumentException">The text is not of that form.</exception>
    public static StochasticLayer[] ParseLayers(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/', StringSplitOptions.TrimEntries);
        var layers = new StochasticLayer[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string[] halves = parts[i].Split(':', StringSplitOptions.TrimEntries);
            if (halves.Length != 2 || !int.TryParse(halves[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int latent))
                throw new ArgumentException($"{option} is '{text}'; layer {i + 1} '{parts[i]}' is not HIDDEN,HIDDEN:LATENT (e.g. 200,200:100/100,100:50, layers from the data up).", option);
            int[] hidden;
            try
            {
                hidden = halves[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                                  .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (FormatException)
            {
                throw new ArgumentException($"{option} is '{text}'; the hidden sizes of layer {i + 1} '{halves[0]}' are not comma-separated integers.", option);
            }
            layers[i] = new StochasticLayer { HiddenSizes = hidden, LatentSize = latent };
        }
        return layers;
    }

    private static string Describe(int[]? sizes) => sizes is null ? "missing (null)" : $"[{string.Join(", ", sizes)}]";
}
