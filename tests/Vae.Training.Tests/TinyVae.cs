using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>A 12-8-2 MLP VAE and deterministic toy data for it: trainer tests that need seconds, not MNIST.</summary>
internal static class TinyVae
{
    /// <summary>MLP 12-8-2, Bernoulli.</summary>
    public static readonly VaeConfig Config = new() { InputShape = [12], HiddenSizes = [8], LatentSize = 2 };

    /// <summary><paramref name="count"/> samples of <paramref name="size"/> values in [0, 1] (a fixed pattern).</summary>
    public static Dataset Data(int count, int size = 12) =>
        new(Enumerable.Range(0, count * size).Select(i => (i * 7 % 11) / 11f).ToArray(), [size]);

    /// <summary>A training summary as the trainer writes one after <paramref name="epochs"/> epochs on 64 samples.</summary>
    public static TrainingSummary Summary(int epochs) => new()
    {
        Options = new TrainOptions { Epochs = epochs },
        Epochs = epochs,
        TrainNegElbo = 8.25,
        ActiveUnits = 2,
        TrainCount = 64,
        ValidationCount = 0,
        TestCount = 0,
    };
}
