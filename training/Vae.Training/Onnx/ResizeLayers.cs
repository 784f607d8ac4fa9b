using TorchSharp.Modules;
using static TorchSharp.torch;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>Converter for Upsample (nearest, linear/bilinear/trilinear, bicubic; by size or scale factor) as ONNX Resize.</summary>
internal static class ResizeLayers
{
    internal static void RegisterAll() => OnnxLayerRegistry.Register<Upsample>(EmitUpsample);

    // PyTorch's coordinate rules: nearest → src = floor(dst / scale) ("asymmetric", floor); linear and cubic →
    // "align_corners" or "pytorch_half_pixel"; cubic with a = −0.75. Scales: the module's scale_factor when it has
    // one (PyTorch maps coordinates with it), else output size / input size as measured.
    private static string EmitUpsample(OnnxGraphBuilder g, Upsample upsample, LayerContext c)
    {
        int spatial = c.InputRank - 2;
        if (spatial < 1) throw c.Unsupported(upsample.GetType(), $"input rank {c.InputRank}; expected [batch, channels, spatial...].");
        double[] factors = upsample.scale_factor.ToArray();
        bool useFactors = factors.Length > 0 && upsample.recompute_scale_factor != true;
        var scales = new float[spatial + 2];
        scales[0] = scales[1] = 1;
        for (int i = 0; i < spatial; i++)
            scales[i + 2] = useFactors ? (float)factors[factors.Length == 1 ? 0 : i] : (float)c.OutputShape[i + 1] / c.InputShape[i + 1];
        string scalesName = g.AddFloatConstant(c.Parameter("scales"), scales, scales.Length);
        bool alignCorners = upsample.align_corners == true;
        string transform = alignCorners ? "align_corners" : "pytorch_half_pixel";
        var attributes = upsample.mode switch
        {
            UpsampleMode.Nearest => new[] { String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor") },
            UpsampleMode.Linear or UpsampleMode.Bilinear or UpsampleMode.Trilinear => [String("mode", "linear"), String("coordinate_transformation_mode", transform)],
            UpsampleMode.Bicubic => [String("mode", "cubic"), String("coordinate_transformation_mode", transform), Float("cubic_coeff_a", -0.75f)],
            _ => throw c.Unsupported(upsample.GetType(), $"mode {upsample.mode}."),
        };
        return g.AddNode("Resize", [c.Input, "", scalesName], c.Path, c.OutputName, attributes);
    }
}
