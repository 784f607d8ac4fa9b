using TorchSharp;
using TorchSharp.Modules;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>
/// Converters for Conv1d/2d/3d (any stride, padding incl. "same"/"valid", dilation, groups, non-square kernels;
/// zero, reflect and replicate padding modes) and ConvTranspose1d/2d/3d (stride, padding, output_padding,
/// dilation, groups). TorchSharp and ONNX store convolution weights in the same layout, so the
/// parameters become initializers unchanged.
/// </summary>
internal static class ConvolutionLayers
{
    internal static void RegisterAll()
    {
        OnnxLayerRegistry.Register<Conv1d>(EmitConvolution);
        OnnxLayerRegistry.Register<Conv2d>(EmitConvolution);
        OnnxLayerRegistry.Register<Conv3d>(EmitConvolution);
        OnnxLayerRegistry.Register<ConvTranspose1d>(EmitConvolution);
        OnnxLayerRegistry.Register<ConvTranspose2d>(EmitConvolution);
        OnnxLayerRegistry.Register<ConvTranspose3d>(EmitConvolution);
    }

    private static string EmitConvolution(OnnxGraphBuilder g, Convolution conv, LayerContext c)
    {
        int spatial = conv.kernel_size.Length;
        if (c.InputRank != spatial + 2)
            throw c.Unsupported(conv.GetType(), $"input has rank {c.InputRank} (unbatched?); expected [batch, channels, {spatial} spatial dimensions].");
        long[] kernel = PerAxis(conv.kernel_size, spatial);
        long[] stride = PerAxis(conv.stride, spatial);
        long[] dilation = PerAxis(conv.dilation, spatial);
        var (begin, end) = Padding(conv, kernel, dilation, spatial);

        string input = c.Input;
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            if (conv.transposed) throw c.Unsupported(conv.GetType(), $"padding mode {conv.padding_mode} on a transposed convolution.");
            string mode = conv.padding_mode switch
            {
                PaddingModes.Reflect => "reflect",
                PaddingModes.Replicate => "edge",
                _ => throw c.Unsupported(conv.GetType(), $"padding mode {conv.padding_mode}; zeros, reflect and replicate are supported."),
            };
            string pads = g.AddInt64Initializer(c.Parameter("pads"), [0, 0, .. begin, 0, 0, .. end]);
            input = g.AddNode("Pad", [input, pads], c.Path, null, String("mode", mode));
            begin = new long[spatial];
            end = new long[spatial];
        }

        var inputs = new List<string> { input, g.AddInitializer(c.Parameter("weight"), conv.weight!) };
        if (conv.bias is not null) inputs.Add(g.AddInitializer(c.Parameter("bias"), conv.bias));
        var attributes = new List<Vae.Onnx.Proto.AttributeProto>
        {
            Ints("kernel_shape", kernel), Ints("strides", stride), Ints("dilations", dilation),
            Ints("pads", [.. begin, .. end]), Int("group", conv.groups),
        };
        if (conv.transposed)
        {
            attributes.Add(Ints("output_padding", OutputPadding(conv, c, kernel, stride, dilation, begin, end)));
            return g.AddNode("ConvTranspose", inputs, c.Path, c.OutputName, [.. attributes]);
        }
        return g.AddNode("Conv", inputs, c.Path, c.OutputName, [.. attributes]);
    }

    // Explicit padding per side. "same" pads dilation·(k − 1) in total, the odd element at the end (as PyTorch does).
    private static (long[] Begin, long[] End) Padding(Convolution conv, long[] kernel, long[] dilation, int spatial)
    {
        if (conv.padding_type == TorchSharp.Padding.Valid) return (new long[spatial], new long[spatial]);
        if (conv.padding_type == TorchSharp.Padding.Same)
        {
            long[] total = [.. Enumerable.Range(0, spatial).Select(i => dilation[i] * (kernel[i] - 1))];
            long[] begin = [.. total.Select(t => t / 2)];
            return (begin, [.. total.Select((t, i) => t - begin[i])]);
        }
        long[] padding = PerAxis(conv.padding ?? new long[spatial], spatial);
        return (padding, [.. padding]);
    }

    // The extra size on the end side, derived from the output shape TorchSharp actually produced:
    // out = (in − 1)·stride − pad_begin − pad_end + dilation·(k − 1) + 1 + output_padding. Taking it from the measured
    // shape (not only the module's output_padding setting) keeps the graph equal to TorchSharp's forward pass.
    private static long[] OutputPadding(Convolution conv, LayerContext c, long[] kernel, long[] stride, long[] dilation, long[] begin, long[] end)
    {
        int spatial = kernel.Length;
        var padding = new long[spatial];
        for (int i = 0; i < spatial; i++)
        {
            long input = c.InputShape[i + 1], output = c.OutputShape[i + 1];
            padding[i] = output - ((input - 1) * stride[i] - begin[i] - end[i] + dilation[i] * (kernel[i] - 1) + 1);
            if (padding[i] < 0 || padding[i] >= Math.Max(stride[i], dilation[i]))
                throw c.Unsupported(conv.GetType(), $"its output size {output} on spatial axis {i} implies output_padding {padding[i]}; expected 0 to {Math.Max(stride[i], dilation[i]) - 1}.");
        }
        return padding;
    }

    private static long[] PerAxis(long[] values, int spatial) => values.Length == spatial
        ? values
        : values.Length == 1 ? Enumerable.Repeat(values[0], spatial).ToArray()
        : throw new ArgumentException($"convolution setting has {values.Length} values, expected 1 or {spatial}.", nameof(values));
}
