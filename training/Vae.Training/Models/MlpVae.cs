using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>
/// Fully connected VAE, as in the PyTorch example (784-400-20 with ReLU by default):
/// encoder x → hidden layers → (fc_mean, fc_logvar); decoder z → mirrored hidden layers → output [B, InputSize].
/// Conditional when <see cref="VaeConfig.Classes"/> &gt; 0 (see <see cref="LayeredVae"/>).
/// </summary>
public sealed class MlpVae : LayeredVae
{
    public MlpVae(VaeConfig config) : this(config.Validate(), Last(config)) { }

    private MlpVae(VaeConfig config, int last) : base(nameof(MlpVae), config,
        LinearStack(config.InputSize, config.HiddenSizes, config.Activation, activateLast: true),
        nn.Linear(last + config.Classes, config.LatentSize),
        nn.Linear(last + config.Classes, config.LatentSize),
        LinearStack(config.DecoderInputSize, [.. config.HiddenSizes.Reverse(), config.InputSize], config.Activation, activateLast: false),
        flattenInput: true)
    {
    }

    private static int Last(VaeConfig config) => config.HiddenSizes.Length > 0 ? config.HiddenSizes[^1] : config.InputSize;
}
