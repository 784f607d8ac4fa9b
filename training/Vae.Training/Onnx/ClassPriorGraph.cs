using TorchSharp;
using Vae.Inference;
using Vae.Training.Models;
using static TorchSharp.torch;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>
/// The nodes of <see cref="Conditioning.ClassPrior"/> in the exported graphs, as <see cref="LayeredVae"/> computes them:
/// the encoder standardises its heads with the label's prior (mean ← (mean − μ_y) · e^(−logvar_y / 2), logvar ← logvar −
/// logvar_y); the decoder maps ε to z = μ_y + e^(logvar_y / 2) · ε and reads [flatten(y ⊗ z), y]. μ_y and logvar_y are the
/// rows of the initializers <c>prior_mean</c> and <c>prior_logvar</c> that the one-hot y picks (MatMul).
/// </summary>
internal static class ClassPriorGraph
{
    /// <summary>The encoder's outputs <c>mean</c> and <c>logvar</c> from the heads' raw values.</summary>
    public static (OnnxValue Mean, OnnxValue Logvar) Standardise(OnnxGraphBuilder graph, VaeModule model, VaeGraphLayout layout, OnnxValue y, OnnxValue mean, OnnxValue logvar)
    {
        var (meanName, logvarName) = Initializers(graph, model, layout);
        string priorMean = graph.AddNode("MatMul", [y.Name, meanName], "encoder.prior_mean_y");
        string priorLogvar = graph.AddNode("MatMul", [y.Name, logvarName], "encoder.prior_logvar_y");
        string scale = graph.AddNode("Exp", [graph.AddNode("Mul", [priorLogvar, graph.AddScalar("encoder.minus_half", -0.5f)], "encoder.prior")], "encoder.prior");
        string centred = graph.AddNode("Sub", [mean.Name, priorMean], "encoder.prior");
        string standardMean = graph.AddNode("Mul", [centred, scale], "encoder.prior", VaeGraphNames.Mean);
        string standardLogvar = graph.AddNode("Sub", [logvar.Name, priorLogvar], "encoder.prior", VaeGraphNames.Logvar);
        return (new OnnxValue(standardMean, mean.SampleShape), new OnnxValue(standardLogvar, logvar.SampleShape));
    }

    /// <summary>The decoder's first layer's input [flatten(y ⊗ z), y] for z = μ_y + e^(logvar_y / 2) · ε, ε the graph's input.</summary>
    public static OnnxValue DecoderInput(OnnxGraphBuilder graph, VaeModule model, VaeGraphLayout layout, OnnxValue y, OnnxValue epsilon)
    {
        var (meanName, logvarName) = Initializers(graph, model, layout);
        int classes = layout.Classes, latent = epsilon.SampleShape[0];
        string priorMean = graph.AddNode("MatMul", [y.Name, meanName], "decoder.prior_mean_y");
        string priorLogvar = graph.AddNode("MatMul", [y.Name, logvarName], "decoder.prior_logvar_y");
        string scale = graph.AddNode("Exp", [graph.AddNode("Mul", [priorLogvar, graph.AddScalar("decoder.half", 0.5f)], "decoder.prior")], "decoder.prior");
        string code = graph.AddNode("Add", [priorMean, graph.AddNode("Mul", [scale, epsilon.Name], "decoder.prior")], "decoder.prior");
        // y [B, C, 1] · z [B, 1, D] → [B, C, D] → [B, C·D]
        string column = graph.AddNode("Reshape", [y.Name, graph.AddInt64Initializer("decoder.y_column", 0, classes, 1)], "decoder.outer");
        string row = graph.AddNode("Reshape", [code, graph.AddInt64Initializer("decoder.z_row", 0, 1, latent)], "decoder.outer");
        string outer = graph.AddNode("Flatten", [graph.AddNode("Mul", [column, row], "decoder.outer")], "decoder.outer", null, Int("axis", 1));
        return new OnnxValue(graph.AddNode("Concat", [outer, y.Name], "decoder.concat_y", null, Int("axis", 1)), [classes * latent + classes]);
    }

    /// <summary>The prior's two parameters as initializers named as in the model's state_dict (each graph calls this once).</summary>
    private static (string Mean, string Logvar) Initializers(OnnxGraphBuilder graph, VaeModule model, VaeGraphLayout layout)
    {
        var (mean, logvar) = layout.ClassPrior!.Value;
        string NameOf(Tensor parameter, string fallback) =>
            model.named_parameters().FirstOrDefault(p => ReferenceEquals(p.parameter, parameter)).name ?? fallback;
        string meanName = NameOf(mean, "prior_mean"), logvarName = NameOf(logvar, "prior_logvar");
        return (graph.AddInitializer(meanName, mean), graph.AddInitializer(logvarName, logvar));
    }
}
