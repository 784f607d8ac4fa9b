using TorchSharp.Modules;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>Converters for element-wise activations (ReLU, LeakyReLU, ELU, SiLU, GELU, Tanh, Sigmoid, Softplus, …) and Softmax.</summary>
internal static class ActivationLayers
{
    /// <summary>First opset with the Gelu operator; older opsets get the Erf / Tanh decomposition.</summary>
    public const int GeluOpset = 20;

    internal static void RegisterAll()
    {
        OnnxLayerRegistry.Register<ReLU>((g, m, c) => g.AddNode("Relu", [c.Input], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<LeakyReLU>((g, m, c) => g.AddNode("LeakyRelu", [c.Input], c.Path, c.OutputName, Float("alpha", (float)m.negative_slope)));
        OnnxLayerRegistry.Register<ELU>((g, m, c) => g.AddNode("Elu", [c.Input], c.Path, c.OutputName, Float("alpha", (float)m.alpha)));
        OnnxLayerRegistry.Register<Tanh>((g, m, c) => g.AddNode("Tanh", [c.Input], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<Sigmoid>((g, m, c) => g.AddNode("Sigmoid", [c.Input], c.Path, c.OutputName));
        // SiLU(x) = x · σ(x)
        OnnxLayerRegistry.Register<SiLU>((g, m, c) => g.AddNode("Mul", [c.Input, g.AddNode("Sigmoid", [c.Input], c.Path)], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<GELU>(EmitGelu);
        OnnxLayerRegistry.Register<Softplus>(EmitSoftplus);
        // Mish(x) = x · tanh(softplus(x))
        OnnxLayerRegistry.Register<Mish>((g, m, c) =>
            g.AddNode("Mul", [c.Input, g.AddNode("Tanh", [g.AddNode("Softplus", [c.Input], c.Path)], c.Path)], c.Path, c.OutputName));
        OnnxLayerRegistry.Register<ReLU6>((g, m, c) => EmitClip(g, c, 0, 6));
        OnnxLayerRegistry.Register<Softmax>((g, m, c) => g.AddNode("Softmax", [c.Input], c.Path, c.OutputName, Int("axis", m.dim)));
        OnnxLayerRegistry.Register<LogSoftmax>((g, m, c) => g.AddNode("LogSoftmax", [c.Input], c.Path, c.OutputName, Int("axis", m.dim)));
    }

    private static string EmitClip(OnnxGraphBuilder g, LayerContext c, float min, float max) =>
        g.AddNode("Clip", [c.Input, g.AddScalar(c.Parameter("min"), min), g.AddScalar(c.Parameter("max"), max)], c.Path, c.OutputName);

    // Exact: GELU(x) = x · ½(1 + erf(x/√2)); tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    // Opset ≥ 20 has the Gelu operator for both; older opsets get the decomposition (same formula as libtorch).
    private static string EmitGelu(OnnxGraphBuilder g, GELU gelu, LayerContext c)
    {
        bool tanh = gelu.approximate == GELU.Approximate.tanh;
        if (g.Opset >= GeluOpset)
            return g.AddNode("Gelu", [c.Input], c.Path, c.OutputName, String("approximate", tanh ? "tanh" : "none"));
        string x = c.Input;
        string inner;
        if (tanh)
        {
            string cube = g.AddNode("Mul", [g.AddNode("Mul", [x, x], c.Path), x], c.Path);
            string sum = g.AddNode("Add", [x, g.AddNode("Mul", [cube, g.AddScalar(c.Parameter("kappa"), 0.044715f)], c.Path)], c.Path);
            inner = g.AddNode("Tanh", [g.AddNode("Mul", [sum, g.AddScalar(c.Parameter("sqrt_2_over_pi"), (float)Math.Sqrt(2 / Math.PI))], c.Path)], c.Path);
        }
        else
        {
            inner = g.AddNode("Erf", [g.AddNode("Mul", [x, g.AddScalar(c.Parameter("inv_sqrt2"), (float)(1 / Math.Sqrt(2)))], c.Path)], c.Path);
        }
        string onePlus = g.AddNode("Add", [inner, g.AddScalar(c.Parameter("one"), 1f)], c.Path);
        string half = g.AddNode("Mul", [x, g.AddScalar(c.Parameter("half"), 0.5f)], c.Path);
        return g.AddNode("Mul", [half, onePlus], c.Path, c.OutputName);
    }

    // PyTorch: softplus(x) = log(1 + exp(βx)) / β, and x itself where βx > threshold.
    private static string EmitSoftplus(OnnxGraphBuilder g, Softplus softplus, LayerContext c)
    {
        float beta = (float)softplus.beta;
        string scaled = beta == 1 ? c.Input : g.AddNode("Mul", [c.Input, g.AddScalar(c.Parameter("beta"), beta)], c.Path);
        string soft = g.AddNode("Softplus", [scaled], c.Path);
        if (beta != 1) soft = g.AddNode("Div", [soft, g.AddScalar(c.Parameter("beta"), beta)], c.Path);
        string linear = g.AddNode("Greater", [scaled, g.AddScalar(c.Parameter("threshold"), (float)softplus.threshold)], c.Path);
        return g.AddNode("Where", [linear, c.Input, soft], c.Path, c.OutputName);
    }
}
