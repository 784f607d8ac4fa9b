using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>
/// A two-layer linear-Gaussian model whose likelihood is known in closed form: z_2 ~ N(0, 1), z_1 | z_2 ~ N(a z_2 + c, s²),
/// x | z_1 ~ N(B z_1 + b, σ² I₂), so p(x) = N(B c + b, (a² + s²) B Bᵀ + σ² I₂). Its encoders are set to the exact posteriors
/// p(z_1 | x) and p(z_2 | z_1) (one-dimensional, hence in the diagonal family), so every importance weight equals p(x): the
/// ELBO and the IWAE bound of any k are log p(x) itself. With the VampPrior, p(z_2) is the mixture of the encoder at the
/// pseudo-inputs and p(x) a mixture of two Gaussians.
/// </summary>
internal static class LinearGaussianHierarchy
{
    public const double A = 0.8, C = 0.3, S2 = 0.5, Sigma = 0.7;
    public static readonly double[] B = [1.5, -0.6], Bias = [0.2, -0.1];

    public static VaeConfig Config(PriorKind prior) => new()
    {
        Architecture = Architecture.Hierarchical,
        InputShape = [2],
        LatentSize = 1,
        Likelihood = Likelihood.Gaussian,
        GaussianSigma = Sigma,
        Hierarchy = new HierarchyConfig
        {
            Layers = [new StochasticLayer { HiddenSizes = [], LatentSize = 1 }, new StochasticLayer { HiddenSizes = [], LatentSize = 1 }],
            Prior = prior,
            PseudoInputs = 2,
        },
    };

    /// <summary>The model with every weight set as above; for the VampPrior, pseudo-inputs <paramref name="pseudoInputs"/> (2 × 2 values).</summary>
    public static HierarchicalVae Create(PriorKind prior = PriorKind.StandardNormal, double[]? pseudoInputs = null)
    {
        var model = new HierarchicalVae(Config(prior));
        double v1 = A * A + S2;                                   // var z_1
        double btb = B[0] * B[0] + B[1] * B[1];
        double postVar = 1 / (1 / v1 + btb / (Sigma * Sigma));    // var z_1 | x
        double btBias = B[0] * Bias[0] + B[1] * Bias[1];
        Set(model, "encoder_1_mean.weight", [postVar * B[0] / (Sigma * Sigma), postVar * B[1] / (Sigma * Sigma)], 1, 2);
        Set(model, "encoder_1_mean.bias", [postVar * (C / v1 - btBias / (Sigma * Sigma))], 1);
        Set(model, "encoder_1_logvar.weight", [0, 0], 1, 2);
        Set(model, "encoder_1_logvar.bias", [Math.Log(postVar)], 1);
        Set(model, "encoder_2_mean.weight", [A / v1], 1, 1);      // E[z_2 | z_1] = a (z_1 − c) / v1
        Set(model, "encoder_2_mean.bias", [-A * C / v1], 1);
        Set(model, "encoder_2_logvar.weight", [0], 1, 1);
        Set(model, "encoder_2_logvar.bias", [Math.Log(S2 / v1)], 1);
        Set(model, "decoder_2_mean.weight", [A], 1, 1);
        Set(model, "decoder_2_mean.bias", [C], 1);
        Set(model, "decoder_2_logvar.weight", [0], 1, 1);
        Set(model, "decoder_2_logvar.bias", [Math.Log(S2)], 1);
        Set(model, "decoder_1.0.weight", B, 2, 1);
        Set(model, "decoder_1.0.bias", Bias, 2);
        if (prior == PriorKind.Vamp) Set(model, "pseudo_inputs", pseudoInputs ?? [1.0, -0.5, -1.2, 0.4], 2, 2);
        return model;
    }

    /// <summary>log p(x) of <paramref name="x"/> [2] in closed form (float64); for the VampPrior from the model's own components.</summary>
    public static double LogLikelihood(HierarchicalVae model, double[] x)
    {
        if (model.Prior == PriorKind.StandardNormal) return LogNormal2(x, B[0] * C + Bias[0], B[1] * C + Bias[1], A * A + S2);
        var (mean, logvar) = model.PriorComponents()!.Value;
        using (mean)
        using (logvar)
        {
            double[] m = mean.to_type(ScalarType.Float64).data<double>().ToArray(), lv = logvar.to_type(ScalarType.Float64).data<double>().ToArray();
            double[] logs = m.Select((mk, k) =>
            {
                double z1Mean = A * mk + C, z1Var = A * A * Math.Exp(lv[k]) + S2;
                return LogNormal2(x, B[0] * z1Mean + Bias[0], B[1] * z1Mean + Bias[1], z1Var);
            }).ToArray();
            double max = logs.Max();
            return max + Math.Log(logs.Sum(l => Math.Exp(l - max)) / logs.Length);
        }
    }

    // log N(x; μ, v B Bᵀ + σ² I) for x in R²
    private static double LogNormal2(double[] x, double mu0, double mu1, double v)
    {
        double s00 = v * B[0] * B[0] + Sigma * Sigma, s11 = v * B[1] * B[1] + Sigma * Sigma, s01 = v * B[0] * B[1];
        double det = s00 * s11 - s01 * s01;
        double d0 = x[0] - mu0, d1 = x[1] - mu1;
        double quad = (s11 * d0 * d0 - 2 * s01 * d0 * d1 + s00 * d1 * d1) / det;
        return -0.5 * (quad + Math.Log(det) + 2 * Math.Log(2 * Math.PI));
    }

    private static void Set(HierarchicalVae model, string name, double[] values, params long[] shape)
    {
        Tensor parameter = model.named_parameters().Single(p => p.name == name).parameter;
        using var noGrad = no_grad();
        using Tensor value = tensor(values.Select(v => (float)v).ToArray(), shape);
        parameter.copy_(value);
    }
}
