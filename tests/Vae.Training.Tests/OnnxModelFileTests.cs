using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>What an exported folder holds: metadata read back through ONNX Runtime, model.json, and clear errors for damaged files.</summary>
public class OnnxModelFileTests
{
    [Fact]
    public void Metadata_round_trips_through_onnx_runtime_model_metadata()
    {
        torch.random.manual_seed(51);
        using var model = ExportVaeTests.NewModel(3, "gaussian", true);
        var options = new ExportOptions { TrainingSummary = """{"epochs":2,"test_neg_elbo":123.5}""", CheckpointPath = "runs/somewhere" };
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder, options);

        var expected = VaeOnnxGraphs.Metadata(model, options);
        foreach (string graph in new[] { "encoder", "decoder" })
        {
            using var session = new InferenceSession(Path.Combine(folder, graph + ".onnx"));
            ModelMetadata metadata = session.ModelMetadata;
            Assert.Equal(OnnxGraphBuilder.ProducerName, metadata.ProducerName);
            Assert.Equal("vae_" + graph, metadata.GraphName);
            var map = metadata.CustomMetadataMap;
            foreach (var (key, value) in expected) Assert.Equal(value, map[key]);
            Assert.Equal(graph, map[VaeMetadata.Graph]);

            var info = VaeModelInfo.FromMetadata(map, graph);
            Assert.Equal(VaeMetadata.CurrentFormatVersion, info.FormatVersion);
            Assert.Equal(3, info.Classes);
            Assert.Equal(3, info.LatentSize);
            Assert.Equal([1, 8, 8], info.InputShape);
            Assert.Equal("gaussian", info.Likelihood);
            Assert.Equal(OutputKind.Mean, info.OutputKind);
            Assert.Equal("mlp", info.ModelKind);
            Assert.Contains("Vae.Training", info.Producer);
            Assert.Equal("""{"epochs":2,"test_neg_elbo":123.5}""", info.Training);
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, VaeExporter.ModelJsonFile)))!;
        foreach (var (key, value) in expected) Assert.Equal(value, json["metadata"]![key]!.GetValue<string>());
        Assert.Equal(Path.GetFullPath("runs/somewhere"), json["checkpoint"]!.GetValue<string>());
        Assert.Equal(17, json["opset"]!.GetValue<int>());
        Assert.Equal(8, json["ir_version"]!.GetValue<int>());
        Assert.Equal("mean,logvar", string.Join(",", json["decoder"]!["outputs"]!.AsArray().Select(n => n!.GetValue<string>())));
        Assert.Equal(2, json["training"]!["epochs"]!.GetValue<int>());
    }

    [Fact]
    public void Truncated_onnx_file_gives_a_clear_load_error()
    {
        string folder = ExportMlp(52);
        string encoder = Path.Combine(folder, VaeModel.EncoderFile);
        byte[] bytes = File.ReadAllBytes(encoder);
        File.WriteAllBytes(encoder, bytes[..(bytes.Length / 2)]);

        var load = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("encoder.onnx", load.Message);
        Assert.Contains("not a loadable ONNX model", load.Message);
        var check = Assert.Throws<OnnxVerificationException>(() => VaeExporter.Check(folder));
        Assert.Contains($"ONNX Runtime refuses the encoder graph {encoder}: ", check.Message);
    }

    [Fact]
    public void Garbage_onnx_file_gives_a_clear_load_error()
    {
        string folder = ExportMlp(53);
        File.WriteAllBytes(Path.Combine(folder, VaeModel.DecoderFile), "not a model at all"u8.ToArray());
        var check = Assert.Throws<OnnxVerificationException>(() => VaeExporter.Check(folder));
        // the README promises an error naming the file (it used to say only "the decoder graph")
        Assert.Contains($"ONNX Runtime refuses the decoder graph {Path.Combine(folder, VaeModel.DecoderFile)}: ", check.Message);
    }

    [Fact]
    public void Check_passes_for_an_intact_pair_and_names_the_output_when_weights_were_damaged()
    {
        string folder = ExportMlp(54);
        var (checkpoint, difference) = VaeExporter.Check(folder);
        Assert.Equal(Path.Combine(folder, "checkpoint"), checkpoint);
        Assert.InRange(difference, 0, LayerParity.Bound);

        // Flip bytes inside the decoder's weights: the file still loads, but no longer matches the checkpoint.
        string decoder = Path.Combine(folder, VaeModel.DecoderFile);
        byte[] bytes = File.ReadAllBytes(decoder);
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(decoder, bytes);
        var e = Assert.Throws<OnnxVerificationException>(() => VaeExporter.Check(folder));
        Assert.Contains("decoder output 'logits'", e.Message);
    }

    [Fact]
    public void Check_without_a_recorded_checkpoint_says_so()
    {
        torch.random.manual_seed(55);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [8], LatentSize = 2 });
        string folder = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, folder);
        var e = Assert.Throws<InvalidDataException>(() => VaeExporter.Check(folder));
        Assert.Contains("records no checkpoint", e.Message);
    }

    // Saves a small MLP checkpoint into folder/checkpoint and exports it into folder, recording the checkpoint.
    private static string ExportMlp(int seed)
    {
        torch.random.manual_seed(seed);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [16], LatentSize = 4 });
        string folder = RepoPaths.NewTempFolder();
        string checkpoint = Path.Combine(folder, "checkpoint");
        Checkpoint.Save(model, checkpoint);
        VaeExporter.Export(model, folder, new ExportOptions { CheckpointPath = checkpoint });
        return folder;
    }
}
