using TorchSharp.Modules;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>Converters for MaxPool1d/2d (stride, padding, dilation, ceil_mode) and AvgPool1d/2d (stride, padding,
/// ceil_mode, count_include_pad).</summary>
internal static class PoolingLayers
{
    internal static void RegisterAll()
    {
        OnnxLayerRegistry.Register<MaxPool1d>((g, m, c) => EmitMaxPool(g, c, [m.kernel_size], Opt(m.stride), Opt(m.padding), Opt(m.dilation), m.ceil_mode));
        OnnxLayerRegistry.Register<MaxPool2d>((g, m, c) => EmitMaxPool(g, c, m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode));
        OnnxLayerRegistry.Register<AvgPool1d>((g, m, c) => EmitAvgPool(g, c, [m.kernel_size], Opt(m.stride), Opt(m.padding), m.ceil_mode, m.count_include_pad));
        OnnxLayerRegistry.Register<AvgPool2d>((g, m, c) =>
        {
            if (m.divisor_override is not null) throw c.Unsupported(m.GetType(), "divisor_override has no ONNX equivalent.");
            return EmitAvgPool(g, c, m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad);
        });
    }

    private static string EmitMaxPool(OnnxGraphBuilder g, LayerContext c, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceil)
    {
        var (k, s, p) = Settings(c, kernel, stride, padding);
        return g.AddNode("MaxPool", [c.Input], c.Path, c.OutputName,
            Ints("kernel_shape", k), Ints("strides", s), Ints("pads", [.. p, .. p]),
            Ints("dilations", PerAxis(dilation, k.Length, 1)), Int("ceil_mode", ceil ? 1 : 0));
    }

    private static string EmitAvgPool(OnnxGraphBuilder g, LayerContext c, long[] kernel, long[]? stride, long[]? padding, bool ceil, bool countIncludePad)
    {
        var (k, s, p) = Settings(c, kernel, stride, padding);
        return g.AddNode("AveragePool", [c.Input], c.Path, c.OutputName,
            Ints("kernel_shape", k), Ints("strides", s), Ints("pads", [.. p, .. p]),
            Int("ceil_mode", ceil ? 1 : 0), Int("count_include_pad", countIncludePad ? 1 : 0));
    }

    // PyTorch defaults: stride = kernel size, padding 0; one number stands for every spatial axis.
    private static (long[] Kernel, long[] Stride, long[] Padding) Settings(LayerContext c, long[] kernel, long[]? stride, long[]? padding)
    {
        int spatial = c.InputRank - 2;
        if (spatial < 1) throw new ArgumentException($"{c.Path}: pooling needs [batch, channels, spatial...] inputs; got rank {c.InputRank}.");
        long[] k = PerAxis(kernel, spatial, 1);
        return (k, stride is null || stride.Length == 0 ? k : PerAxis(stride, spatial, 1), PerAxis(padding, spatial, 0));
    }

    private static long[] PerAxis(long[]? values, int spatial, long fallback) => values switch
    {
        null or { Length: 0 } => Enumerable.Repeat(fallback, spatial).ToArray(),
        { Length: 1 } => Enumerable.Repeat(values[0], spatial).ToArray(),
        _ when values.Length == spatial => values,
        _ => throw new ArgumentException($"pooling setting has {values.Length} values, expected 1 or {spatial}.", nameof(values)),
    };

    private static long[]? Opt(long? value) => value is long v ? [v] : null;
}
