using Vae.Training.Models;

namespace Vae.Training.Training;

/// <summary>A named starting point for training: a model config and training options (the CLI's presets; options
/// given beside one override it).</summary>
public sealed record Preset(string Name, string Description, VaeConfig Config, TrainOptions Options)
{
    /// <summary>The presets by name.</summary>
    public static IReadOnlyDictionary<string, Preset> All { get; } = new Dictionary<string, Preset>
    {
        ["pytorch-example"] = new("pytorch-example",
            "the PyTorch VAE example: 784-400-20 MLP, ReLU, Bernoulli on [0,1] pixels, Adam 1e-3, batch 128, 10 epochs; " +
            "the decoder's output bias starts at the training data's mean log-odds",
            new VaeConfig(), new TrainOptions { OutputBias = OutputBiasInit.DataMean }),
        ["mnist-best"] = new("mnist-best",
            "best NLL on dynamically binarised MNIST in about an hour on 2 CPU cores: 784-500-500-50 MLP, ELU, " +
            "Bernoulli on binarised pixels re-sampled every batch, KL warm-up 5 epochs, Adam 1e-3 with cosine decay over the 60-minute budget, batch 128",
            new VaeConfig { HiddenSizes = [500, 500], LatentSize = 50, Activation = "elu", Binarize = true },
            new TrainOptions
            {
                Epochs = 1000, BatchSize = 128, LearningRate = 1e-3, Schedule = LrSchedule.Cosine, MinLearningRate = 1e-5,
                WarmupEpochs = 5, ValidationSize = 0, MaxMinutes = 60,
            }),
        ["mnist-hvae"] = new("mnist-hvae",
            "two stochastic layers on dynamically binarised MNIST within a 60-minute budget on 2 CPU cores: Burda et al.'s 784-(200-200)-100-(100-100)-50 " +
            "layout, ELU, VampPrior of 200 learned pseudo-inputs on the top layer, KL warm-up 10 epochs for z_1 and 15 for z_2, Adam 1e-3 with cosine decay " +
            "over the budget, batch 128, gradients clipped at norm 100",
            new VaeConfig
            {
                Architecture = Architecture.Hierarchical, Activation = "elu", Binarize = true, LatentSize = 50, HiddenSizes = [],
                Hierarchy = new HierarchyConfig
                {
                    Layers = [new() { HiddenSizes = [200, 200], LatentSize = 100 }, new() { HiddenSizes = [100, 100], LatentSize = 50 }],
                    Prior = PriorKind.Vamp, PseudoInputs = 200,
                },
            },
            new TrainOptions
            {
                Epochs = 1000, BatchSize = 128, LearningRate = 1e-3, Schedule = LrSchedule.Cosine, MinLearningRate = 1e-5,
                WarmupEpochs = 10, WarmupStagger = 5, ClipNorm = 100, ValidationSize = 0, MaxMinutes = 60, OutputBias = OutputBiasInit.DataMean,
            }),
    };

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name.</exception>
    public static Preset Get(string name) => All.TryGetValue(name, out Preset? preset)
        ? preset
        : throw new ArgumentException($"preset '{name}' is unknown; expected one of {string.Join(", ", All.Keys)}.", nameof(name));
}
