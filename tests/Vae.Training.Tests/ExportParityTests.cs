using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class ExportParityTests
{
    public static TheoryData<string, int[], int, string> Configs => new()
    {
        { "pytorch-example", [400], 20, "relu" },
        { "deeper-tanh", [64, 32], 5, "tanh" },
        { "silu", [50], 3, "silu" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Exported_pair_matches_torchsharp_through_the_inference_library(string name, int[] hidden, int latent, string activation)
    {
        torch.random.manual_seed(3);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = hidden, LatentSize = latent, Activation = activation });
        string folder = Path.Combine(RepoPaths.NewTempFolder(), name);

        ExportResult result = VaeExporter.Export(model, folder);

        Assert.InRange(result.MaxAbsDifference, 0, 1e-5);
        Assert.True(File.Exists(Path.Combine(folder, "model.json")));

        // The inference library against TorchSharp on a fresh batch of 5.
        using var vae = VaeModel.Load(folder);
        Assert.Equal(784, vae.InputSize);
        Assert.Equal(latent, vae.LatentSize);
        using var x = rand([5, 1, 28, 28]);
        model.eval();
        using var noGrad = no_grad();
        var (mean, logvar) = model.Encode(x);
        var (ortMean, ortLogvar) = vae.Encode(x.data<float>().ToArray());
        AssertClose(mean.data<float>().ToArray(), ortMean, 1e-5);
        AssertClose(logvar.data<float>().ToArray(), ortLogvar, 1e-5);
        using var probabilities = model.Decode(mean).sigmoid();
        AssertClose(probabilities.data<float>().ToArray(), vae.Decode(ortMean), 1e-5);
    }

    [Fact]
    public void Graphs_have_dynamic_batch_and_metadata()
    {
        torch.random.manual_seed(4);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [16], LatentSize = 4 });
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder, new ExportOptions { TrainingSummary = """{"epochs":3}""" });

        using var encoder = new InferenceSession(Path.Combine(folder, "encoder.onnx"));
        Assert.Equal(["x"], encoder.InputMetadata.Keys);
        Assert.Equal([-1, 784], encoder.InputMetadata["x"].Dimensions);
        Assert.Equal("batch", encoder.InputMetadata["x"].SymbolicDimensions[0]);
        Assert.Equal(["mean", "logvar"], encoder.OutputMetadata.Keys);
        var metadata = encoder.ModelMetadata.CustomMetadataMap;
        Assert.Equal("4", metadata[VaeMetadata.LatentSize]);
        Assert.Equal("encoder", metadata[VaeMetadata.Graph]);
        Assert.Equal("""{"epochs":3}""", metadata[VaeMetadata.Training]);

        using var decoder = new InferenceSession(Path.Combine(folder, "decoder.onnx"));
        Assert.Equal([-1, 4], decoder.InputMetadata["z"].Dimensions);
        Assert.Equal(["logits", "probs"], decoder.OutputMetadata.Keys);
    }

    [Fact]
    public void Checkpoint_round_trip_reproduces_the_same_outputs()
    {
        torch.random.manual_seed(5);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [32], LatentSize = 6, Activation = "tanh" });
        string folder = RepoPaths.NewTempFolder();
        Checkpoint.Save(model, folder);
        using VaeModule loaded = Checkpoint.Load(folder);
        Assert.Equal(model.Config.HiddenSizes, loaded.Config.HiddenSizes);
        Assert.Equal("tanh", loaded.Config.Activation);
        using var z = randn(3, 6);
        using var noGrad = no_grad();
        Assert.Equal(model.Decode(z).data<float>().ToArray(), loaded.Decode(z).data<float>().ToArray());
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= tolerance, $"max |diff| {worst:G3} > {tolerance:G3}");
    }
}
