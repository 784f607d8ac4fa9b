using System.Globalization;
using System.Numerics;

namespace Vae.Training.Models;

/// <summary>
/// How large a <see cref="VaeConfig"/>'s layers may be. One weight tensor holds at most
/// <see cref="MaxWeightValues"/> float32 values (2 GiB): the exporter writes each weight as one ONNX initializer,
/// whose raw bytes are one protobuf field read from one span, and protobuf caps a message (so every
/// initializer and every .onnx file) at 2 GiB. Checked up front so that an absurd input shape or layer size
/// is refused naming the field instead of overflowing <c>int</c> or failing in libtorch's allocator.
/// </summary>
public static class WeightLimits
{
    /// <summary>Most float32 values in one weight tensor: int.MaxValue bytes / 4 = 536,870,911.</summary>
    public const long MaxWeightValues = int.MaxValue / sizeof(float);

    /// <summary>The exact number of values of a tensor of <paramref name="shape"/> (no overflow).</summary>
    public static BigInteger Size(IEnumerable<int> shape) => shape.Aggregate(BigInteger.One, (a, d) => a * d);

    /// <summary>Checks the input shape and every layer's weight of <paramref name="config"/> (whose fields are otherwise valid).</summary>
    /// <exception cref="ArgumentException">A size exceeds <see cref="MaxWeightValues"/>; the message names the fields, values and limit.</exception>
    internal static void Check(VaeConfig config)
    {
        BigInteger inputSize = Size(config.InputShape);
        if (inputSize > MaxWeightValues)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{nameof(VaeConfig.InputShape)} is [{string.Join(", ", config.InputShape)}], {inputSize:N0} values per sample; " +
                                        $"at most {MaxWeightValues:N0}: the first and last layers hold a weight per input value and unit, and one weight " +
                                        $"holds at most {MaxWeightValues:N0} float32 values (2 GiB, the most one ONNX initializer can hold)."), nameof(VaeConfig.InputShape));
        foreach (var (layer, inputs, outputs, fields, field) in Layers(config, inputSize))
        {
            BigInteger values = inputs * outputs;
            if (values > MaxWeightValues)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{layer} would hold a weight of {inputs:N0} × {outputs:N0} = {values:N0} values ({fields}); at most {MaxWeightValues:N0} " +
                                            $"float32 values (2 GiB, the most one ONNX initializer can hold) fit in one weight."), field);
        }
    }

    /// <summary>Each layer's weight as (inputs, outputs) and the config fields that size it, encoder first.</summary>
    private static IEnumerable<(string Layer, BigInteger Inputs, BigInteger Outputs, string Fields, string Field)> Layers(VaeConfig c, BigInteger inputSize)
    {
        string latent = $"{nameof(VaeConfig.LatentSize)} {c.LatentSize}", classes = c.Classes > 0 ? $" + {nameof(VaeConfig.Classes)} {c.Classes}" : "";
        // with a class prior the decoder's first layer reads y ⊗ z and y
        BigInteger decoderInputs = c.HasClassPrior ? (c.LatentSize + (BigInteger)1) * c.Classes : c.LatentSize + (BigInteger)c.Classes;
        string decoderReads = c.HasClassPrior ? $"({latent} + 1) × {nameof(VaeConfig.Classes)} {c.Classes}" : latent + classes;
        string input = string.Create(CultureInfo.InvariantCulture, $"{nameof(VaeConfig.InputShape)} [{string.Join(", ", c.InputShape)}] = {inputSize:N0} values");
        string head, headField = nameof(VaeConfig.LatentSize);
        BigInteger headInputs;
        if (c.Architecture == Architecture.Hierarchical)
        {
            // each stochastic layer: its hidden layers from the layer below, then the heads (mirrored on the generative side)
            BigInteger below = inputSize;
            string belowName = input;
            StochasticLayer[] layers = c.HierarchyOrDefault.Layers;
            for (int l = 0; l < layers.Length; l++)
            {
                foreach (int size in layers[l].HiddenSizes.Append(layers[l].LatentSize))
                {
                    string name = $"{nameof(VaeConfig.Hierarchy)} layer {l + 1} size {size}";
                    yield return ($"a layer of stochastic layer {l + 1} (and its mirror in the decoder)", below, size, $"{belowName} → {name}", nameof(VaeConfig.Hierarchy));
                    (below, belowName) = (size, name);
                }
            }
            yield break;
        }
        if (c.Architecture == Architecture.Conv)
        {
            ConvConfig conv = c.ConvOrDefault;
            BigInteger channels = c.InputShape[0], h = c.InputShape[1], w = c.InputShape[2];
            for (int i = 0; i < conv.Channels.Length; i++)
            {
                yield return ($"convolution {i + 1}", channels * 9, conv.Channels[i], $"{(i == 0 ? "input channels" : $"conv Channels[{i - 1}]")} {channels} × 3 × 3 → conv Channels[{i}] {conv.Channels[i]}", nameof(ConvConfig.Channels));
                channels = conv.Channels[i];
                h = (h - 1) / conv.Strides[i] + 1;
                w = (w - 1) / conv.Strides[i] + 1;
            }
            headInputs = channels * h * w;
            head = $"conv Channels[^1] {channels} × {h} × {w} (the last feature map){classes}";
            yield return ("the decoder's first layer", decoderInputs, headInputs, string.Create(CultureInfo.InvariantCulture, $"{decoderReads} → the {headInputs:N0} values of the last feature map"), headField);
        }
        else
        {
            BigInteger previous = inputSize;
            string previousName = input;
            for (int i = 0; i < c.HiddenSizes.Length; i++)
            {
                string name = $"{nameof(VaeConfig.HiddenSizes)}[{i}] {c.HiddenSizes[i]}";
                yield return ($"encoder layer {i + 1} (and its mirror in the decoder)", previous, c.HiddenSizes[i], $"{previousName} → {name}", nameof(VaeConfig.HiddenSizes));
                (previous, previousName) = (c.HiddenSizes[i], name);
            }
            headInputs = previous;
            head = previousName + classes;
            yield return ("the decoder's first layer", decoderInputs, c.HiddenSizes.Length > 0 ? c.HiddenSizes[^1] : inputSize, $"{decoderReads} → {previousName}", headField);
        }
        yield return ("fc_mean and fc_logvar", headInputs + c.Classes, c.LatentSize, $"{head} → {latent}", headField);
    }
}
