using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Vae.Training.Models;

/// <summary>
/// Convolutional VAE for any [C, H, W] input. Encoder: per entry of <see cref="ConvConfig.Channels"/> a Conv2d
/// (kernel 3, padding 1, its stride), optional BatchNorm2d, activation; then Flatten and the linear heads.
/// Decoder: Linear → activation → Unflatten to the last feature map, then ConvTranspose2d layers (Conv2d where the
/// stride is 1) mirroring the
/// encoder (output_padding chosen so every spatial size is restored; for shapes whose axes need different
/// output paddings a final valid Conv2d trims the excess), the last one to C channels without activation. Output [B, C, H, W]: logits (Bernoulli) or means (Gaussian).
/// </summary>
public sealed class ConvVae : LayeredVae
{
    public ConvVae(VaeConfig config) : this(Checked(config), Plan(Checked(config))) { }

    private static VaeConfig Checked(VaeConfig config) => (config with { Architecture = Architecture.Conv }).Validate();

    private ConvVae(VaeConfig config, Layout plan) : base(nameof(ConvVae), config,
        Encoder(config, plan), nn.Linear(plan.Flat + config.Classes, config.LatentSize),
        nn.Linear(plan.Flat + config.Classes, config.LatentSize), Decoder(config, plan), flattenInput: false)
    {
    }

    /// <summary>Spatial sizes per level: Sizes[0] is the input's (H, W), Sizes[i] the output of convolution i.</summary>
    private sealed record Layout((int H, int W)[] Sizes, int Flat);

    private static Layout Plan(VaeConfig config)
    {
        ConvConfig conv = config.ConvOrDefault;
        var sizes = new (int H, int W)[conv.Channels.Length + 1];
        sizes[0] = (config.InputShape[1], config.InputShape[2]);
        for (int i = 0; i < conv.Channels.Length; i++)
            sizes[i + 1] = ((sizes[i].H - 1) / conv.Strides[i] + 1, (sizes[i].W - 1) / conv.Strides[i] + 1);
        var last = sizes[^1];
        return new Layout(sizes, conv.Channels[^1] * last.H * last.W);
    }

    private static Sequential Encoder(VaeConfig config, Layout plan)
    {
        ConvConfig conv = config.ConvOrDefault;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long channels = config.InputShape[0];
        for (int i = 0; i < conv.Channels.Length; i++)
        {
            layers.Add(nn.Conv2d(channels, conv.Channels[i], kernel_size: 3, stride: conv.Strides[i], padding: 1));
            if (conv.BatchNorm) layers.Add(nn.BatchNorm2d(conv.Channels[i]));
            layers.Add(Activations.Create(config.Activation));
            channels = conv.Channels[i];
        }
        layers.Add(nn.Flatten());
        return nn.Sequential(layers);
    }

    private static Sequential Decoder(VaeConfig config, Layout plan)
    {
        ConvConfig conv = config.ConvOrDefault;
        var last = plan.Sizes[^1];
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Linear(config.DecoderInputSize, plan.Flat),
            Activations.Create(config.Activation),
            nn.Unflatten(1, [conv.Channels[^1], last.H, last.W]),
        };
        long channels = config.InputShape[0];
        var (h, w) = last;
        for (int i = conv.Channels.Length - 1; i >= 0; i--)
        {
            int s = conv.Strides[i];
            var (outH, outW) = plan.Sizes[i];
            // ConvTranspose2d(k 3, p 1): out = (in − 1)·s + 1 + output_padding. TorchSharp 0.107's module applies
            // the first output_padding to both axes, so one value is used, large enough for both; any excess
            // is trimmed by the final valid convolution below.
            long pad = Math.Clamp(Math.Max(outH - (h - 1) * s - 1, outW - (w - 1) * s - 1), 0, s - 1);
            long outChannels = i == 0 ? channels : conv.Channels[i - 1];
            // Stride 1 needs no up-sampling: a Conv2d (k 3, p 1) keeps the size. (TorchSharp 0.107's stride-1
            // ConvTranspose2d gives run-to-run different outputs on CPU, so it is avoided.)
            layers.Add(s == 1
                ? nn.Conv2d(conv.Channels[i], outChannels, kernel_size: 3, padding: 1)
                : nn.ConvTranspose2d(conv.Channels[i], outChannels, kernel_size: (3, 3), stride: (s, s), padding: (1, 1), output_padding: (pad, pad)));
            (h, w) = ((h - 1) * s + 1 + (int)pad, (w - 1) * s + 1 + (int)pad);
            if (i > 0)
            {
                if (conv.BatchNorm) layers.Add(nn.BatchNorm2d(outChannels));
                layers.Add(Activations.Create(config.Activation));
            }
        }
        int[] target = [config.InputShape[1], config.InputShape[2]];
        if (h != target[0] || w != target[1])
            layers.Add(nn.Conv2d(channels, channels, kernel_size: (h - target[0] + 1, w - target[1] + 1)));
        return nn.Sequential(layers);
    }
}
