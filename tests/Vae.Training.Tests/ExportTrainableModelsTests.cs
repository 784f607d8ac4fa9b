using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>
/// Every model <c>vae train</c> can build — each <see cref="Architecture"/> that <see cref="Checkpoint.Create"/>
/// knows, unconditional or conditional, Bernoulli or Gaussian (fixed or learned per-pixel variance), with every
/// activation — goes through the VAE exporter and matches TorchSharp within 1e-5. The configs are written as the
/// config.json a checkpoint holds, so the test follows the architectures the trainer adds.
/// </summary>
public class ExportTrainableModelsTests
{
    // Non-square input so a convolutional decoder needs its size-restoring layers; batch norm with real statistics.
    private const string Common = """
        "input_shape": [1, 12, 10], "hidden_sizes": [16], "latent_size": 3,
        "conv": { "channels": [4, 6], "strides": [2, 2], "batch_norm": true }
        """;

    // The hierarchical architecture's layers (top latent size 3, as Common's), ignored by the others.
    private const string Hierarchy = """
        "hierarchy": { "layers": [{ "hidden_sizes": [16], "latent_size": 5 }, { "hidden_sizes": [8], "latent_size": 3 }], "prior": "vamp", "pseudo_inputs": 4 }
        """;

    // Settings per variant, on top of Common; every activation appears once.
    private static readonly string[] Settings =
    [
        """ "activation": "relu" """,
        """ "activation": "gelu", "classes": 10 """,
        """ "activation": "silu", "likelihood": "gaussian" """,
        """ "activation": "elu", "likelihood": "gaussian", "learn_variance": true, "classes": 3 """,
        """ "activation": "leaky_relu", "binarize": true """,
        """ "activation": "tanh", "likelihood": "gaussian", "classes": 2 """,
    ];

    public static TheoryData<Architecture, string> Variants
    {
        get
        {
            var data = new TheoryData<Architecture, string>();
            foreach (Architecture architecture in Enum.GetValues<Architecture>())
                foreach (string settings in Settings) data.Add(architecture, settings.Trim());
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_trainable_model_exports_and_matches_torchsharp(Architecture architecture, string settings)
    {
        torch.random.manual_seed(61);
        string json = $$"""{ "architecture": {{JsonSerializer.Serialize(architecture, VaeConfig.JsonOptions)}}, {{Common}}, {{Hierarchy}}, {{settings}} }""";
        VaeConfig config = JsonSerializer.Deserialize<VaeConfig>(json, VaeConfig.JsonOptions)!;
        if (architecture == Architecture.Hierarchical && (config.Classes > 0 || config.LearnVariance))
        {
            // the hierarchy is neither conditional nor of learned pixel variance: refused naming the field, never built wrong
            var refused = Assert.Throws<ArgumentException>(() => Checkpoint.Create(config));
            Assert.Contains(config.Classes > 0 ? "not conditional" : "fixed-σ Gaussian likelihood", refused.Message);
            return;
        }
        using VaeModule model = Checkpoint.Create(config);
        VaeGraphLayout layout = model.GraphLayout;
        Assert.Equal(config.Classes, layout.Classes);
        Assert.Equal(config.LearnVariance, layout.PixelLogvar is not null);
        using var labels = layout.Classes > 0 ? arange(40, dtype: int64) % layout.Classes : null;
        GiveBatchNormsStatistics(model, labels);

        using var samples = rand([40, .. config.InputShape.Select(d => (long)d)]);
        string folder = RepoPaths.NewTempFolder();
        ExportResult result = VaeExporter.Export(model, folder, null, samples, labels);
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);

        using var encoder = new InferenceSession(result.EncoderPath);
        using var decoder = new InferenceSession(result.DecoderPath);
        string output = VaeOnnxGraphs.DecoderOutputName(config.Likelihood);
        Assert.Equal(layout.Classes > 0 ? ["x", "y"] : ["x"], encoder.InputMetadata.Keys);
        Assert.Equal(["mean", "logvar"], encoder.OutputMetadata.Keys);
        Assert.Equal(layout.Classes > 0 ? ["z", "y"] : ["z"], decoder.InputMetadata.Keys);
        Assert.Equal(config.Likelihood == Likelihood.Bernoulli ? [output, "probs"] : layout.PixelLogvar is null ? [output] : [output, "logvar"], decoder.OutputMetadata.Keys);
        Assert.Equal([-1, .. layout.EncoderInputShape], encoder.InputMetadata["x"].Dimensions);
        Assert.Equal(config.InputSize, decoder.OutputMetadata[output].Dimensions.Skip(1).Aggregate(1, (a, b) => a * b));
        Assert.Equal(config.Architecture.ToString().ToLowerInvariant(), encoder.ModelMetadata.CustomMetadataMap[VaeMetadata.ModelKind]);
    }

    // A few training-mode passes so every BatchNorm's running mean and variance move away from 0 and 1.
    private static void GiveBatchNormsStatistics(VaeModule model, Tensor? labels)
    {
        using var threads = TorchThreads.Single();
        model.train();
        using (no_grad())
        {
            for (int i = 0; i < 3; i++)
            {
                using var scope = NewDisposeScope();
                Tensor x = rand([40, .. model.Config.InputShape.Select(d => (long)d)]) * 2 + 0.5;
                Tensor? y = labels is null ? null : OnnxExportVerifier.OneHot(labels, model.GraphLayout.Classes);
                model.Forward(x, y);
            }
        }
        model.eval();
    }
}
