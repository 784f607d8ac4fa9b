using TorchSharp.Modules;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>Converters for BatchNorm1d/2d/3d (evaluation statistics) and LayerNorm.</summary>
internal static class NormalizationLayers
{
    /// <summary>First opset with the LayerNormalization operator; older opsets get the ReduceMean decomposition.</summary>
    public const int LayerNormalizationOpset = 17;

    internal static void RegisterAll()
    {
        OnnxLayerRegistry.Register<BatchNorm1d>(EmitBatchNorm);
        OnnxLayerRegistry.Register<BatchNorm2d>(EmitBatchNorm);
        OnnxLayerRegistry.Register<BatchNorm3d>(EmitBatchNorm);
        OnnxLayerRegistry.Register<LayerNorm>(EmitLayerNorm);
    }

    // Inference form: y = (x − running_mean) / √(running_var + ε) · weight + bias, per channel (axis 1).
    private static string EmitBatchNorm(OnnxGraphBuilder g, BatchNorm norm, LayerContext c)
    {
        if (norm.running_mean is null || norm.running_var is null)
            throw c.Unsupported(norm.GetType(), "track_running_stats is false, so evaluation uses batch statistics; export needs running statistics.");
        long channels = norm.num_features;
        string scale = norm.weight is null ? g.AddFloatConstant(c.Parameter("weight"), Filled(channels, 1f), channels) : g.AddInitializer(c.Parameter("weight"), norm.weight);
        string bias = norm.bias is null ? g.AddFloatConstant(c.Parameter("bias"), Filled(channels, 0f), channels) : g.AddInitializer(c.Parameter("bias"), norm.bias);
        string mean = g.AddInitializer(c.Parameter("running_mean"), norm.running_mean);
        string variance = g.AddInitializer(c.Parameter("running_var"), norm.running_var);
        return g.AddNode("BatchNormalization", [c.Input, scale, bias, mean, variance], c.Path, c.OutputName, Float("epsilon", (float)norm.eps));
    }

    // Normalises over the last k = |normalized_shape| axes: LayerNormalization(axis −k) at opset ≥ 17, else
    // mean and variance with ReduceMean, (x − mean) / √(var + ε) · weight + bias.
    private static string EmitLayerNorm(OnnxGraphBuilder g, LayerNorm norm, LayerContext c)
    {
        long[] normalized = norm.normalized_shape;
        int k = normalized.Length;
        long size = normalized.Aggregate(1L, (a, b) => a * b);
        string? scale = norm.weight is null ? null : g.AddInitializer(c.Parameter("weight"), norm.weight);
        string? bias = norm.bias is null ? null : g.AddInitializer(c.Parameter("bias"), norm.bias);
        if (g.Opset >= LayerNormalizationOpset)
        {
            scale ??= g.AddFloatConstant(c.Parameter("weight"), Filled(size, 1f), normalized);
            List<string> inputs = bias is null ? [c.Input, scale] : [c.Input, scale, bias];
            return g.AddNode("LayerNormalization", inputs, c.Path, c.OutputName, Int("axis", -k), Float("epsilon", (float)norm.eps));
        }
        long[] axes = [.. Enumerable.Range(-k, k).Select(a => (long)a)];
        string mean = g.AddNode("ReduceMean", [c.Input], c.Path, null, Ints("axes", axes), Int("keepdims", 1));
        string centered = g.AddNode("Sub", [c.Input, mean], c.Path);
        string variance = g.AddNode("ReduceMean", [g.AddNode("Mul", [centered, centered], c.Path)], c.Path, null, Ints("axes", axes), Int("keepdims", 1));
        string std = g.AddNode("Sqrt", [g.AddNode("Add", [variance, g.AddScalar(c.Parameter("epsilon"), (float)norm.eps)], c.Path)], c.Path);
        bool last = scale is null && bias is null;
        string y = g.AddNode("Div", [centered, std], c.Path, last ? c.OutputName : null);
        if (scale is not null) y = g.AddNode("Mul", [y, scale], c.Path, bias is null ? c.OutputName : null);
        if (bias is not null) y = g.AddNode("Add", [y, bias], c.Path, c.OutputName);
        return y;
    }

    private static float[] Filled(long count, float value) => Enumerable.Repeat(value, checked((int)count)).ToArray();
}
