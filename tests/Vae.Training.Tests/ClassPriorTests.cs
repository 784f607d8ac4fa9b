using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary><see cref="Conditioning.ClassPrior"/>: the learned class prior and class-specific decoder layer, their files and export.</summary>
public class ClassPriorTests
{
    private static readonly VaeConfig Conditional = TinyVae.Config with { Classes = 3 };

    [Fact]
    public void Conditional_configs_record_their_conditioning_and_old_files_read_as_concatenating()
    {
        Assert.Equal(Conditioning.ClassPrior, Conditional.Conditioning);
        Assert.Contains("\"conditioning\": \"class_prior\"", Conditional.ToJson());
        Assert.DoesNotContain("conditioning", TinyVae.Config.ToJson());   // an unconditional model's file is as before

        string path = Path.Combine(RepoPaths.NewTempFolder(), "config.json");
        File.WriteAllText(path, Conditional.ToJson());
        Assert.Equal(Conditioning.ClassPrior, VaeConfig.Load(path).Conditioning);
        File.WriteAllText(path, (Conditional with { Conditioning = Conditioning.Concat }).ToJson());
        Assert.Equal(Conditioning.Concat, VaeConfig.Load(path).Conditioning);
        // a conditional config.json written before the setting existed
        var legacy = System.Text.Json.Nodes.JsonNode.Parse(Conditional.ToJson())!.AsObject();
        Assert.True(legacy.Remove("conditioning"));
        File.WriteAllText(path, legacy.ToJsonString());
        Assert.DoesNotContain("conditioning", File.ReadAllText(path));
        Assert.Equal(Conditioning.Concat, VaeConfig.Load(path).Conditioning);
        Assert.True(VaeConfig.Load(path).SameAs(Conditional with { Conditioning = Conditioning.Concat }));
    }

    [Fact]
    public void The_encoder_reports_the_posterior_of_the_standardised_code_and_the_decoder_undoes_it()
    {
        torch.random.manual_seed(5);
        using var model = new MlpVae(Conditional);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor x = rand(4, 12), y = LayeredVae.OneHot(tensor(new long[] { 0, 1, 2, 1 }), 3);
        var (rawMean, rawLogvar) = model.Encode(x, y);   // the prior starts at N(0, I): the heads' own values
        Tensor z = randn(4, 2);
        Tensor rawOutput = model.Decode(z, y);

        var prior = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor mu = tensor(new float[] { 1, -1, 0.5f, 0, -2, 3 }, [3, 2]), lv = tensor(new float[] { 0, 1, -1, 0.5f, 2, 0 }, [3, 2]);
        prior["prior_mean"].copy_(mu);
        prior["prior_logvar"].copy_(lv);
        var (mean, logvar) = model.Encode(x, y);
        Tensor muY = y.matmul(mu), lvY = y.matmul(lv);
        Assert.True(mean.allclose((rawMean - muY) * (-0.5 * lvY).exp(), 1e-5, 1e-6));
        Assert.True(logvar.allclose(rawLogvar - lvY, 1e-5, 1e-6));
        // decoding ε is decoding z = μ_y + σ_y ε with the prior at N(0, I)
        Tensor epsilon = (z - muY) * (-0.5 * lvY).exp();
        Assert.True(model.Decode(epsilon, y).allclose(rawOutput, 1e-4, 1e-5));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("conv")]
    public void A_class_prior_model_exports_and_the_pair_computes_what_torchsharp_does(string architecture)
    {
        torch.random.manual_seed(6);
        VaeConfig config = architecture == "mlp" ? Conditional : new VaeConfig { Architecture = Architecture.Conv, InputShape = [1, 8, 8], Conv = new ConvConfig { Channels = [4], Strides = [2] }, LatentSize = 3, Classes = 4 };
        using VaeModule model = architecture == "mlp" ? new MlpVae(config) : new ConvVae(config);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.StartsWith("prior_", StringComparison.Ordinal)))
                p.copy_(randn(p.shape) * 0.5);   // a prior away from N(0, I), so the graphs must apply it
        string folder = RepoPaths.NewTempFolder();
        ExportResult result = VaeExporter.Export(model, folder);
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);

        using var vae = VaeModel.Load(folder);
        int n = 5, size = config.InputSize;
        float[] x = Enumerable.Range(0, n * size).Select(i => (i * 37 % 101) / 101f).ToArray();
        int[] labels = Enumerable.Range(0, n).Select(i => i % config.Classes).ToArray();
        var (mean, logvar) = vae.Encode(x, labels);
        float[] decoded = vae.Decode(mean, labels);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor xt = tensor(x, [n, .. config.InputShape.Select(d => (long)d)]);
        Tensor y = LayeredVae.OneHot(tensor(labels.Select(l => (long)l).ToArray()), config.Classes);
        var (expectedMean, expectedLogvar) = model.Encode(xt, y);
        Tensor expectedDecoded = model.Decode(expectedMean, y).sigmoid().flatten();
        Assert.InRange(LayerParity.MaxAbsDifference(expectedMean.data<float>().ToArray(), mean), 0, LayerParity.Bound);
        Assert.InRange(LayerParity.MaxAbsDifference(expectedLogvar.data<float>().ToArray(), logvar), 0, LayerParity.Bound);
        Assert.InRange(LayerParity.MaxAbsDifference(expectedDecoded.data<float>().ToArray(), decoded), 0, LayerParity.Bound);
    }

    [Fact]
    public void A_concatenating_conditional_model_still_builds_and_exports_as_before()
    {
        torch.random.manual_seed(7);
        using var model = new MlpVae(Conditional with { Conditioning = Conditioning.Concat });
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("prior_", StringComparison.Ordinal));
        Assert.Equal(2 + 3, model.named_parameters().First(p => p.name == "decoder.0.weight").parameter.shape[1]);
        Assert.InRange(VaeExporter.Export(model, RepoPaths.NewTempFolder()).MaxAbsDifference, 0, LayerParity.Bound);

        using var prior = new MlpVae(Conditional);
        Assert.Equal((2 + 1) * 3, prior.named_parameters().First(p => p.name == "decoder.0.weight").parameter.shape[1]);
    }
}
