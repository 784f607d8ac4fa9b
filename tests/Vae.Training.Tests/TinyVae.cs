using Vae.Training.Data;
using Vae.Training.Models;

namespace Vae.Training.Tests;

/// <summary>A 12-8-2 MLP VAE and deterministic toy data for it: trainer tests that need seconds, not MNIST.</summary>
internal static class TinyVae
{
    /// <summary>MLP 12-8-2, Bernoulli.</summary>
    public static readonly VaeConfig Config = new() { InputShape = [12], HiddenSizes = [8], LatentSize = 2 };

    /// <summary><paramref name="count"/> samples of <paramref name="size"/> values in [0, 1] (a fixed pattern).</summary>
    public static Dataset Data(int count, int size = 12) =>
        new(Enumerable.Range(0, count * size).Select(i => (i * 7 % 11) / 11f).ToArray(), [size]);
}
