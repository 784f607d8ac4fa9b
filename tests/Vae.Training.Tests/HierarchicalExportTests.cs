using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>The hierarchical family through the exporter: the pair, each layer graph and the prior against TorchSharp, and
/// Vae.Inference's prior sampling and likelihood through the layers.</summary>
public class HierarchicalExportTests
{
    private static HierarchicalVae NewModel(PriorKind prior, int seed = 31)
    {
        torch.random.manual_seed(seed);
        return new HierarchicalVae(new VaeConfig
        {
            Architecture = Architecture.Hierarchical, InputShape = [1, 6, 6], LatentSize = 3, Activation = "elu",
            Hierarchy = new HierarchyConfig { Layers = [new() { HiddenSizes = [10, 8], LatentSize = 5 }, new() { HiddenSizes = [7], LatentSize = 3 }], Prior = prior, PseudoInputs = 4 },
        });
    }

    [Theory]
    [InlineData(PriorKind.StandardNormal)]
    [InlineData(PriorKind.Vamp)]
    public void Every_graph_matches_torchsharp_outside_the_exporter_too(PriorKind prior)
    {
        using HierarchicalVae model = NewModel(prior);
        string folder = RepoPaths.NewTempFolder();
        using var samples = rand(40, 1, 6, 6);
        ExportResult result = VaeExporter.Export(model, folder, null, samples);
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);
        string[] layerFiles = prior == PriorKind.Vamp
            ? ["encoder_1.onnx", "encoder_2.onnx", "decoder_1.onnx", "decoder_2.onnx", "prior.onnx"]
            : ["encoder_1.onnx", "encoder_2.onnx", "decoder_1.onnx", "decoder_2.onnx"];
        Assert.Equal(layerFiles.Order(), HierarchicalExportVerifier.Expected(model).Order());
        Assert.All(layerFiles, f => Assert.True(File.Exists(Path.Combine(folder, f)), f));

        // a fresh batch of 6, each graph on its own
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor x = rand(6, 1, 6, 6);
        Tensor z1 = randn(6, 5), z2 = randn(6, 3);
        Check(folder, "encoder.onnx", [("x", x.reshape(6, 36))], [model.Encode(x).Mean, model.Encode(x).Logvar], ["mean", "logvar"]);
        Check(folder, "decoder.onnx", [("z", z2)], [model.Decode(z2), model.Decode(z2).sigmoid()], ["logits", "probs"]);
        Check(folder, "encoder_1.onnx", [("x", x.reshape(6, 36))], [model.Posterior(1, x.reshape(6, 36)).Mean, model.Posterior(1, x.reshape(6, 36)).Logvar], ["mean", "logvar"]);
        Check(folder, "encoder_2.onnx", [("z", z1)], [model.Posterior(2, z1).Mean, model.Posterior(2, z1).Logvar], ["mean", "logvar"]);
        Check(folder, "decoder_2.onnx", [("z", z2)], [model.Conditional(1, z2).Mean, model.Conditional(1, z2).Logvar], ["mean", "logvar"]);
        Check(folder, "decoder_1.onnx", [("z", z1)], [model.DecodeData(z1), model.DecodeData(z1).sigmoid()], ["logits", "probs"]);
        if (prior == PriorKind.Vamp)
        {
            var (mean, logvar) = model.PriorComponents()!.Value;
            Check(folder, "prior.onnx", [], [mean, logvar, model.PseudoInputs()!], ["mean", "logvar", "u"]);
        }

        // model.json lists the layer set; export --check re-verifies every graph
        Assert.Contains("\"layer_graphs\"", File.ReadAllText(Path.Combine(folder, VaeExporter.ModelJsonFile)));
        string checkpoint = RepoPaths.NewTempFolder();
        Checkpoint.Save(model, checkpoint);
        Assert.InRange(VaeExporter.Check(folder, checkpoint).MaxAbsDifference, 0, LayerParity.Bound);
        File.Delete(Path.Combine(folder, "decoder_2.onnx"));
        Assert.Contains("decoder_2.onnx is missing", Assert.Throws<FileNotFoundException>(() => VaeExporter.Check(folder, checkpoint)).Message);
    }

    [Fact]
    public void A_graph_of_another_model_fails_the_check_naming_it()
    {
        using HierarchicalVae model = NewModel(PriorKind.Vamp);
        using HierarchicalVae other = NewModel(PriorKind.Vamp, seed: 32);
        string folder = RepoPaths.NewTempFolder(), otherFolder = RepoPaths.NewTempFolder(), checkpoint = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        VaeExporter.Export(other, otherFolder);
        Checkpoint.Save(model, checkpoint);
        File.Copy(Path.Combine(otherFolder, "prior.onnx"), Path.Combine(folder, "prior.onnx"), overwrite: true);
        var e = Assert.Throws<OnnxVerificationException>(() => VaeExporter.Check(folder, checkpoint));
        Assert.Contains("prior.onnx output 'mean'", e.Message);
    }

    [Fact]
    public void Inference_scores_the_closed_form_likelihood_through_the_layer_graphs()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.StandardNormal);
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        using VaeModel vae = VaeModel.Load(folder);
        Assert.NotNull(vae.Hierarchy);
        Assert.Equal([1, 1], vae.Hierarchy!.LatentSizes);
        Assert.False(vae.Hierarchy.HasVampPrior);
        float[] x = [0.5f, -0.2f, 2.0f, 1.0f, -1.3f, 0.7f];
        AnomalyScore[] scores = vae.ScoreAnomalies(x, samples: 5, seed: 3);
        for (int i = 0; i < 3; i++)
        {
            double logP = LinearGaussianHierarchy.LogLikelihood(model, [x[2 * i], x[2 * i + 1]]);
            // exact posteriors: every weight is p(x), so the bound of any k is −log p(x) up to float32 rounding
            Assert.Equal(-logP, scores[i].NegativeLogLikelihood, 4);
            Assert.Equal(scores[i].NegativeElbo, scores[i].ReconstructionNll + scores[i].Kl, 4);
        }
        Assert.Equal(scores, vae.Hierarchy.Score(x, samples: 5, seed: 3));
    }

    [Fact]
    public void Inference_samples_the_learned_prior_with_its_mixture_statistics()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.Vamp, [3.0, 1.0, -2.0, -1.0]);
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        using VaeModel vae = VaeModel.Load(folder);
        VaeHierarchy hierarchy = vae.Hierarchy!;
        Assert.True(hierarchy.HasVampPrior);
        Assert.Equal(2, hierarchy.PriorComponents);
        using (no_grad())
        {
            var (mean, logvar) = model.PriorComponents()!.Value;
            Assert.InRange(LayerParity.MaxAbsDifference(mean.data<float>().ToArray(), hierarchy.PriorMeans.ToArray()), 0, LayerParity.Bound);
            Assert.InRange(LayerParity.MaxAbsDifference(logvar.data<float>().ToArray(), hierarchy.PriorLogvars.ToArray()), 0, LayerParity.Bound);
            Assert.Equal([3f, 1f, -2f, -1f], hierarchy.PseudoInputs.ToArray());   // Gaussian data: the pseudo-inputs unclamped
        }
        double m0 = hierarchy.PriorMeans[0], m1 = hierarchy.PriorMeans[1], v = Math.Exp(hierarchy.PriorLogvars[0]);
        double mixtureMean = (m0 + m1) / 2, mixtureVar = v + (m0 - m1) * (m0 - m1) / 4;
        const int n = 40_000;
        double[] z = hierarchy.SamplePrior(n, seed: 5).Select(f => (double)f).ToArray();
        double sampleMean = z.Average(), sampleVar = z.Select(d => (d - sampleMean) * (d - sampleMean)).Sum() / (n - 1);
        // 4 standard errors; the variance's is at most √(2σ⁴/n) (an equal two-Gaussian mixture has kurtosis ≤ 3)
        Assert.InRange(sampleMean, mixtureMean - 4 * Math.Sqrt(mixtureVar / n), mixtureMean + 4 * Math.Sqrt(mixtureVar / n));
        Assert.InRange(sampleVar, mixtureVar - 4 * Math.Sqrt(2 * mixtureVar * mixtureVar / n), mixtureVar + 4 * Math.Sqrt(2 * mixtureVar * mixtureVar / n));
        // the log prior is the mixture's density
        double[] logPrior = hierarchy.LogPrior([0.4f]);
        double Density(double mu) => Math.Exp(-0.5 * ((0.4 - mu) * (0.4 - mu) / v + Math.Log(v) + Math.Log(2 * Math.PI)));
        Assert.Equal(Math.Log(0.5 * (Density(m0) + Density(m1))), logPrior[0], 5);

        // Generate goes through the prior and every layer: reproducible from the seed, and at temperature 0 the decoded component means
        Assert.Equal(vae.Generate(4, seed: 8), vae.Generate(4, seed: 8));
        float[] cold = vae.Generate(64, seed: 8, temperature: 0);
        float[][] decodedMeans = [.. new[] { m0, m1 }.Select(m => vae.Decode([(float)m]))];
        for (int i = 0; i < 64; i++)
        {
            float[] row = cold[(2 * i)..(2 * i + 2)];
            Assert.True(decodedMeans.Any(d => LayerParity.MaxAbsDifference(d, row) < 1e-5), $"sample {i} [{string.Join(", ", row)}] is no component's decoded mean");
        }
    }

    [Fact]
    public void A_hierarchical_pair_loaded_from_memory_refuses_what_needs_its_layers()
    {
        using HierarchicalVae model = NewModel(PriorKind.StandardNormal);
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        using VaeModel vae = VaeModel.Load(File.ReadAllBytes(Path.Combine(folder, "encoder.onnx")), File.ReadAllBytes(Path.Combine(folder, "decoder.onnx")));
        Assert.Null(vae.Hierarchy);
        Assert.Equal(36 * 2, vae.Reconstruct(new float[72]).Length);   // the pair itself works
        var e = Assert.Throws<InvalidOperationException>(() => vae.Generate(2, seed: 1));
        Assert.Contains("needs this hierarchical model's layer graphs", e.Message);
        Assert.Throws<InvalidOperationException>(() => vae.ScoreAnomalies(new float[36]));

        File.Delete(Path.Combine(folder, "encoder_2.onnx"));
        var missing = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("encoder_2.onnx: file not found", missing.Message);
    }

    private static void Check(string folder, string file, (string, Tensor)[] inputs, Tensor[] expected, string[] outputs)
    {
        using var session = new InferenceSession(Path.Combine(folder, file));
        float[][] actual = OnnxParity.Run(session, inputs, outputs);
        for (int i = 0; i < outputs.Length; i++)
            Assert.InRange(LayerParity.MaxAbsDifference(expected[i].contiguous().data<float>().ToArray(), actual[i]), 0, LayerParity.Bound);
    }
}
