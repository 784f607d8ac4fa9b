using TorchSharp.Modules;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>Converters for the layers TorchSharp models are built from.</summary>
internal static class BuiltInLayers
{
    internal static void RegisterAll()
    {
        OnnxLayerRegistry.Register<Linear>(EmitLinear);
        OnnxLayerRegistry.Register<ReLU>((g, m, c) => g.AddNode("Relu", [c.Input], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<Tanh>((g, m, c) => g.AddNode("Tanh", [c.Input], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<Sigmoid>((g, m, c) => g.AddNode("Sigmoid", [c.Input], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<SiLU>((g, m, c) =>
            g.AddNode("Mul", [c.Input, g.AddNode("Sigmoid", [c.Input], c.Path)], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<Identity>((g, m, c) => g.AddNode("Identity", [c.Input], c.Path, c.OutputName));
        // Dropout is the identity at inference time: no node.
        OnnxLayerRegistry.Register<Dropout>((g, m, c) => c.Input);
    }

    // y = x Wᵀ + b as one Gemm (transB = 1) on [batch, in] inputs.
    private static string EmitLinear(OnnxGraphBuilder g, Linear linear, LayerContext c)
    {
        string weight = g.AddInitializer(c.Parameter("weight"), linear.weight!);
        var inputs = new List<string> { c.Input, weight };
        if (linear.bias is not null) inputs.Add(g.AddInitializer(c.Parameter("bias"), linear.bias));
        return g.AddNode("Gemm", inputs, c.Path, c.OutputName, Int("transB", 1));
    }
}
