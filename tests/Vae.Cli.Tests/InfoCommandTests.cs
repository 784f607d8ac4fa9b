using System.Text.Json.Nodes;
using Vae.Inference;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae info</c>: its facts are the library's (<see cref="VaeModelInfo"/>) and model.json's, in text and JSON.</summary>
public class InfoCommandTests
{
    [Fact]
    public void Json_facts_equal_what_the_library_and_model_json_say()
    {
        var (exit, output, error) = CliRun.Run("info", "--model", TestModel.Folder, "--json");
        Assert.True(exit == 0, error);
        JsonObject facts = Assert.IsType<JsonObject>(JsonNode.Parse(output));
        using var vae = VaeModel.Load(TestModel.Folder);
        JsonObject modelJson = Assert.IsType<JsonObject>(JsonNode.Parse(File.ReadAllText(Path.Combine(TestModel.Folder, "model.json"))));

        Assert.Equal(vae.Info.InputShape, facts["input_shape"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(vae.Info.ImageShape, facts["image_shape"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(vae.LatentSize, facts["latent_size"]!.GetValue<int>());
        Assert.Equal(vae.Info.Likelihood, facts["likelihood"]!.GetValue<string>());
        Assert.Equal(["logits", "probs"], facts["decoder_outputs"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal(vae.Classes, facts["classes"]!.GetValue<int>());
        Assert.Null(facts["input_normalization"]);   // the reference pair was exported before models carried one
        Assert.Equal(vae.Info.PixelScaling, facts["pixel_scaling"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(vae.Info.Training)!.ToJsonString(), facts["training"]!.ToJsonString());
        foreach (string key in new[] { "opset", "ir_version", "verification_max_abs_difference", "checkpoint" })
            Assert.Equal(modelJson[key]!.ToJsonString(), facts[key]!.ToJsonString());
    }

    [Fact]
    public void Text_names_shapes_likelihood_inputs_training_and_export()
    {
        var (exit, output, error) = CliRun.Run("info", "--model", TestModel.Folder);
        Assert.True(exit == 0, error);
        Assert.Contains("architecture: mlp, input [784] (image 1×28×28), latent 8", output);
        Assert.Contains("likelihood: bernoulli; decoder outputs logits, probs", output);
        Assert.Contains("inputs: x / 255 (values in [0, 1])", output);
        Assert.Contains("training: 3 epochs, test −ELBO 123.69, train −ELBO 126.34, 8 active units, 60000 training samples", output);
        Assert.Contains("export: opset 17, IR 8, ONNX Runtime vs TorchSharp max |diff| 1.34E-05", output);
    }

    [Fact]
    public void A_run_folder_shows_its_best_checkpoint_config_training_and_normalisation()
    {
        var (exit, output, error) = CliRun.Run("info", "--model", TestModel.Run, "--json");
        Assert.True(exit == 0, error);
        JsonObject facts = Assert.IsType<JsonObject>(JsonNode.Parse(output));
        string best = Path.Combine(TestModel.Run, "best");
        Assert.Equal(Path.GetFullPath(best), facts["checkpoint"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(File.ReadAllText(Path.Combine(best, "config.json")))!.ToJsonString(), facts["config"]!.ToJsonString());
        Assert.Equal(JsonNode.Parse(File.ReadAllText(Path.Combine(best, "training.json")))!.ToJsonString(), facts["training"]!.ToJsonString());
        Assert.Equal(InputNormalization.Scale(255f).ToJson(), facts["input_normalization"]!.ToJsonString());
        Assert.Equal(784 * 32 + 32 + 2 * (32 * 4 + 4) + 4 * 32 + 32 + 32 * 784 + 784, facts["parameters"]!.GetValue<long>());   // 784-32-4 MLP

        (exit, output, error) = CliRun.Run("info", "--model", TestModel.Run);
        Assert.True(exit == 0, error);
        Assert.Contains("model: mlp 784-32-4, relu, bernoulli; 51,416 parameters", output);
        Assert.Contains("inputs: x / 255", output);
    }

    [Fact]
    public void A_damaged_model_json_or_a_missing_pair_is_one_error_line_naming_the_file()
    {
        string folder = RepoPaths.NewTempFolder();
        foreach (string file in new[] { VaeModel.EncoderFile, VaeModel.DecoderFile })
            File.Copy(Path.Combine(TestModel.Folder, file), Path.Combine(folder, file));
        File.WriteAllText(Path.Combine(folder, "model.json"), "{ not json");
        string error = CliRun.Failure("info", "--model", folder);
        Assert.Contains($"{Path.Combine(folder, "model.json")} is not valid JSON", error);

        File.Delete(Path.Combine(folder, "model.json"));   // a pair copied without it still shows its facts
        var (exit, output, stderr) = CliRun.Run("info", "--model", folder);
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("export:", output);

        Assert.Contains("encoder.onnx", CliRun.Failure("info", "--model", Path.Combine(folder, "missing")));
    }
}
