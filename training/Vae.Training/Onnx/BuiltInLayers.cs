using TorchSharp.Modules;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>
/// Registers the converters for the layers TorchSharp models are built from, and holds the structural
/// ones: Linear, Identity, Dropout (omitted at inference), Flatten and Unflatten.
/// </summary>
internal static class BuiltInLayers
{
    internal static void RegisterAll()
    {
        OnnxLayerRegistry.Register<Linear>(EmitLinear);
        OnnxLayerRegistry.Register<Identity>((g, m, c) => g.AddNode("Identity", [c.Input], c.Path, c.OutputName));
        // Dropout is the identity at inference time: no node.
        OnnxLayerRegistry.Register<Dropout>((g, m, c) => c.Input);
        OnnxLayerRegistry.Register<Dropout1d>((g, m, c) => c.Input);
        OnnxLayerRegistry.Register<Dropout2d>((g, m, c) => c.Input);
        OnnxLayerRegistry.Register<Dropout3d>((g, m, c) => c.Input);
        OnnxLayerRegistry.Register<AlphaDropout>((g, m, c) => c.Input);
        OnnxLayerRegistry.Register<FeatureAlphaDropout>((g, m, c) => c.Input);
        OnnxLayerRegistry.Register<Flatten>(EmitFlatten);
        OnnxLayerRegistry.Register<Unflatten>((g, m, c) => EmitReshape(g, m, c, (int)m.dim));
        ActivationLayers.RegisterAll();
        ConvolutionLayers.RegisterAll();
        NormalizationLayers.RegisterAll();
        PoolingLayers.RegisterAll();
        ResizeLayers.RegisterAll();
    }

    // y = x Wᵀ + b: one Gemm (transB = 1) on [batch, in]; MatMul with the transposed weight + Add on higher ranks.
    // The weight initializer always holds the TorchSharp parameter as it is ([out, in]).
    private static string EmitLinear(OnnxGraphBuilder g, Linear linear, LayerContext c)
    {
        string weight = g.AddInitializer(c.Parameter("weight"), linear.weight!);
        string? bias = linear.bias is null ? null : g.AddInitializer(c.Parameter("bias"), linear.bias);
        if (c.InputRank == 2)
            return g.AddNode("Gemm", bias is null ? [c.Input, weight] : [c.Input, weight, bias], c.Path, c.OutputName, Int("transB", 1));
        string transposed = g.AddNode("Transpose", [weight], c.Path, null, Ints("perm", 1, 0));
        if (bias is null) return g.AddNode("MatMul", [c.Input, transposed], c.Path, c.OutputName);
        return g.AddNode("Add", [g.AddNode("MatMul", [c.Input, transposed], c.Path), bias], c.Path, c.OutputName);
    }

    // torch.flatten(x, start, end): the common [batch, ...] → [batch, n] is ONNX Flatten(axis 1); other ranges a Reshape.
    private static string EmitFlatten(OnnxGraphBuilder g, Flatten flatten, LayerContext c)
    {
        int start = (int)(flatten.start_dim < 0 ? flatten.start_dim + c.InputRank : flatten.start_dim);
        int end = (int)(flatten.end_dim < 0 ? flatten.end_dim + c.InputRank : flatten.end_dim);
        if (start == 1 && end == c.InputRank - 1) return g.AddNode("Flatten", [c.Input], c.Path, c.OutputName, Int("axis", 1));
        return EmitReshape(g, flatten, c, start);
    }

    /// <summary>
    /// A reshape that keeps the batch axis: Reshape to [0 (copy the batch), ...output sample shape]. The sample
    /// shape is the one measured in TorchSharp, so Flatten, Unflatten and view-like modules share this.
    /// </summary>
    internal static string EmitReshape(OnnxGraphBuilder g, TorchSharp.torch.nn.Module module, LayerContext c, int firstAxis)
    {
        if (firstAxis == 0 || firstAxis == -c.InputRank)
            throw c.Unsupported(module.GetType(), "it reshapes the batch axis (dimension 0); exported graphs keep a dynamic batch axis.");
        string shape = g.AddInt64Initializer(c.Parameter("shape"), [0, .. c.OutputShape.Select(d => (long)d)]);
        return g.AddNode("Reshape", [c.Input, shape], c.Path, c.OutputName);
    }
}
