using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>Activation modules by name, as written in <see cref="VaeConfig.Activation"/>.</summary>
public static class Activations
{
    /// <summary>Accepted names.</summary>
    public static readonly IReadOnlyList<string> Names = ["relu", "leaky_relu", "elu", "silu", "gelu", "tanh"];

    /// <summary>A new activation module for <paramref name="name"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "relu" => nn.ReLU(),
        "leaky_relu" => nn.LeakyReLU(0.01),
        "elu" => nn.ELU(),
        "silu" => nn.SiLU(),
        "gelu" => nn.GELU(),
        "tanh" => nn.Tanh(),
        _ => throw new ArgumentException($"activation '{name}' is unknown; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };
}
