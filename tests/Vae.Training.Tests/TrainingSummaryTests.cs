using System.Text.Json.Nodes;
using TorchSharp;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Training.Tests;

public class TrainingSummaryTests
{
    [Fact]
    public void The_trainer_writes_training_json_with_its_snake_case_fields_in_order_and_reads_it_back_typed()
    {
        string run = RepoPaths.NewTempFolder();
        torch.random.manual_seed(11);
        using var model = new MlpVae(TinyVae.Config);
        var options = new TrainOptions { Epochs = 1, BatchSize = 16, ValidationSize = 16 };
        EpochMetrics metrics = new Trainer(model, options).Fit(TinyVae.Data(64), TinyVae.Data(32), run).Single();

        string last = Path.Combine(run, Checkpoint.LastFolder);
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(last, Checkpoint.TrainingFile)))!;
        // the file format every earlier run has: exported metadata and 'vae info' read these names
        Assert.Equal(["options", "epochs", "train_neg_elbo", "val_neg_elbo", "test_neg_elbo", "active_units", "train_count", "validation_count", "test_count"],
                     json.Select(p => p.Key));
        Assert.Equal(48, json["train_count"]!.GetValue<int>());

        TrainingSummary summary = Checkpoint.ReadTrainingSummary(last)!;
        Assert.Equal(TrainingSummary.Of(metrics, options, new SampleCounts(48, 16, 32)), summary);
        Assert.Equal(metrics.Validation!.NegElbo, summary.ValidationNegElbo);
        Assert.Equal(summary, Checkpoint.ReadTrainingSummary(run));   // a run folder reads its best/
    }

    [Fact]
    public void A_checkpoint_without_a_summary_has_none()
    {
        string folder = RepoPaths.NewTempFolder();
        using var model = new MlpVae(TinyVae.Config);
        Checkpoint.Save(model, folder);
        Assert.Null(Checkpoint.ReadTrainingSummary(folder));
    }

    [Theory]
    [InlineData("train_count", "\"lots\"")]
    [InlineData("epochs", "1.5")]
    [InlineData("val_neg_elbo", "[1]")]
    public void A_field_of_the_wrong_type_is_invalid_data_naming_the_file_and_the_field(string name, string value)
    {
        string folder = RepoPaths.NewTempFolder();
        string path = Path.Combine(folder, Checkpoint.TrainingFile);
        var json = (JsonObject)JsonNode.Parse(TinyVae.Summary(epochs: 2).ToJson())!;
        json[name] = JsonNode.Parse(value);
        File.WriteAllText(path, json.ToJsonString());

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadTrainingSummary(folder));
        Assert.StartsWith($"{path}: '{name}' is {value}; expected ", e.Message);
    }

    [Fact]
    public void A_missing_field_is_invalid_data_naming_it()
    {
        string folder = RepoPaths.NewTempFolder();
        string path = Path.Combine(folder, Checkpoint.TrainingFile);
        File.WriteAllText(path, """{ "epochs": 3, "train_neg_elbo": 1.5, "active_units": 2, "train_count": 8, "validation_count": 0 }""");

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadTrainingSummary(folder));
        Assert.Contains("test_count", e.Message);
    }
}
