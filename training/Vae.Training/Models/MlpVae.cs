using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>
/// Fully connected VAE, as in the PyTorch example (784-400-20 with ReLU by default):
/// encoder x → hidden layers → (fc_mean, fc_logvar); decoder z → mirrored hidden layers → output.
/// Field names are state_dict keys and ONNX initializer names; keep them stable.
/// </summary>
public sealed class MlpVae : VaeModule
{
    private readonly Sequential encoder;
    private readonly Linear fc_mean;
    private readonly Linear fc_logvar;
    private readonly Sequential decoder;

    public MlpVae(VaeConfig config) : base(nameof(MlpVae), config)
    {
        int inputSize = Config.InputSize;
        encoder = Stack(inputSize, Config.HiddenSizes, Config.Activation, activateLast: true);
        int last = Config.HiddenSizes.Length > 0 ? Config.HiddenSizes[^1] : inputSize;
        fc_mean = nn.Linear(last, Config.LatentSize);
        fc_logvar = nn.Linear(last, Config.LatentSize);
        int[] decoderSizes = [.. Config.HiddenSizes.Reverse(), inputSize];
        decoder = Stack(Config.LatentSize, decoderSizes, Config.Activation, activateLast: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor Mean, Tensor Logvar) Encode(Tensor x, Tensor? y = null)
    {
        RequireNoLabel(y, nameof(MlpVae));
        using var scope = NewDisposeScope();
        Tensor h = encoder.forward(x.flatten(1));
        return (fc_mean.forward(h).MoveToOuterDisposeScope(), fc_logvar.forward(h).MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    public override Tensor Decode(Tensor z, Tensor? y = null)
    {
        RequireNoLabel(y, nameof(MlpVae));
        return decoder.forward(z);
    }

    /// <inheritdoc/>
    public override VaeGraphLayout GraphLayout => new(encoder, fc_mean, fc_logvar, decoder, [Config.InputSize]);

    private static Sequential Stack(int inputSize, IReadOnlyList<int> sizes, string activation, bool activateLast)
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
