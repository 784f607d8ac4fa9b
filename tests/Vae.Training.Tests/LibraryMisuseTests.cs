using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>Odd or wrong uses of the library from user code fail up front with typed errors naming what was
/// expected and what was found, instead of TorchSharp/libtorch errors, hangs or silently wrong files.</summary>
public class LibraryMisuseTests
{
    private static readonly VaeConfig Small = TinyVae.Config;

    private static Dataset Toy(int count = 16, int size = 12) => TinyVae.Data(count, size);

    private static string CopyOf(string checkpoint, string name)
    {
        string copy = Path.Combine(Path.GetDirectoryName(checkpoint)!, name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(checkpoint)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    [Fact]
    public void Loading_truncated_or_foreign_weights_is_invalid_data_naming_the_file()
    {
        torch.random.manual_seed(71);
        using var model = new MlpVae(Small);
        string good = Path.Combine(RepoPaths.NewTempFolder(), "good");
        Checkpoint.Save(model, good);
        byte[] weights = File.ReadAllBytes(Path.Combine(good, Checkpoint.WeightsFile));

        string truncated = CopyOf(good, "truncated");
        File.WriteAllBytes(Path.Combine(truncated, Checkpoint.WeightsFile), weights[..(weights.Length / 2)]);
        string empty = CopyOf(good, "empty");
        File.WriteAllBytes(Path.Combine(empty, Checkpoint.WeightsFile), []);
        string otherWidth = CopyOf(good, "other-width");
        File.WriteAllText(Path.Combine(otherWidth, Checkpoint.ConfigFile), (Small with { HiddenSizes = [9] }).ToJson());
        string otherArchitecture = CopyOf(good, "other-architecture");
        File.WriteAllText(Path.Combine(otherArchitecture, Checkpoint.ConfigFile),
                          new VaeConfig { Architecture = Architecture.Conv, InputShape = [1, 6, 6], LatentSize = 2 }.ToJson());

        foreach (string folder in new[] { truncated, empty, otherWidth, otherArchitecture })
        {
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(folder));
            Assert.Contains(Path.Combine(folder, Checkpoint.WeightsFile), e.Message);
            Assert.Contains("does not hold the weights of the model its config.json describes", e.Message);
        }
        using VaeModule loaded = Checkpoint.Load(good);
        Assert.Equal(Small.ToJson(), loaded.Config.ToJson());
    }

    [Theory]
    [InlineData("""{ "input_shape": null }""", "InputShape is missing (null)")]
    [InlineData("""{ "input_shape": [12], "hidden_sizes": null }""", "HiddenSizes is missing (null)")]
    [InlineData("""{ "architecture": "conv", "input_shape": [1, 6, 6], "conv": { "channels": null } }""", "ConvConfig.Channels is missing (null); the conv architecture")]
    [InlineData("""{ "architecture": "conv", "input_shape": [1, 6, 6], "conv": { "strides": null } }""", "ConvConfig.Strides is missing (null); the conv architecture")]
    [InlineData("""{ "architecture": 7, "input_shape": [12] }""", "Architecture is 7; expected mlp, conv or hierarchical")]
    [InlineData("""{ "likelihood": 9, "input_shape": [12] }""", "Likelihood is 9; expected bernoulli or gaussian")]
    public void A_config_json_with_null_lists_or_unknown_enum_numbers_is_invalid_data(string json, string expected)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), Checkpoint.ConfigFile);
        File.WriteAllText(path, json);

        var e = Assert.Throws<InvalidDataException>(() => VaeConfig.Load(path));

        Assert.Contains($"{path} is not a valid VAE config", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Evaluation_refuses_batch_sizes_below_one_instead_of_looping_forever()
    {
        torch.random.manual_seed(72);
        using var model = new MlpVae(Small);
        using TensorSet set = TensorSet.From(Toy(3), model, "test data");

        // Negative sizes used to reach libtorch's narrow(), 0 looped forever, rowsPerChunk 0 divided by zero.
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.NegElbo(model, set, -1, seed: 1)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.ActiveUnits(model, set, -2)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => TestReport.Evaluate(model, Toy(3), 5, seed: 1, batchSize: -1)).ParamName);
        Assert.Equal("rowsPerChunk", Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.ImportanceNll(model, set, 5, seed: 1, rowsPerChunk: 0)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.NegElbo(model, set, 0, seed: 1)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.ActiveUnits(model, set, 0)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => TestReport.Evaluate(model, Toy(3), 5, seed: 1, batchSize: 0)).ParamName);
    }

    [Fact]
    public void Export_refuses_real_samples_and_labels_that_do_not_fit_the_model_and_writes_nothing()
    {
        torch.random.manual_seed(74);
        using var model = new MlpVae(Small with { Classes = 3 });
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "out");
        using var labels = arange(40, dtype: int64) % 3;

        using (var wrongSize = rand(40, 10))
        {
            var e = Assert.Throws<ArgumentException>(() => VaeExporter.Export(model, folder, null, wrongSize, labels));
            Assert.Equal("realSamples", e.ParamName);
            Assert.Contains("has shape [40, 10]; expected [N, 12]", e.Message);
        }
        using var samples = rand(40, 12);
        using (var fewer = arange(10, dtype: int64) % 3)
        {
            var e = Assert.Throws<ArgumentException>(() => VaeExporter.Export(model, folder, null, samples, fewer));
            Assert.Equal("realLabels", e.ParamName);
            Assert.Contains("is Int64 [10]; expected int64 [40]", e.Message);
        }
        using (var floats = zeros(40))
            Assert.Equal("realLabels", Assert.Throws<ArgumentException>(() => VaeExporter.Export(model, folder, null, samples, floats)).ParamName);
        Assert.False(Directory.Exists(folder));

        ExportResult result = VaeExporter.Export(model, folder, null, samples, labels);
        Assert.InRange(result.MaxAbsDifference, 0, LayerParity.Bound);
    }

    [Fact]
    public void Saving_without_a_training_summary_over_an_old_checkpoint_drops_its_training_json()
    {
        torch.random.manual_seed(75);
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "checkpoint");
        using (var old = new MlpVae(Small with { LatentSize = 3 }))
            Checkpoint.Save(old, folder, TinyVae.Summary(epochs: 99) with { TestNegElbo = 1.5 });
        using var model = new MlpVae(Small);

        Checkpoint.Save(model, folder);

        Assert.False(File.Exists(Path.Combine(folder, Checkpoint.TrainingFile)));
        Assert.Equal("{}", Checkpoint.ReadTrainingJson(folder));
        using VaeModule loaded = Checkpoint.Load(folder);
        Assert.Equal(2, loaded.Config.LatentSize);
    }

    [Fact]
    public void Early_stopping_without_a_validation_set_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { Patience = 2 }.Validate());
        Assert.Equal(nameof(TrainOptions.Patience), e.ParamName);
        Assert.Contains("TrainOptions.Patience is 2; expected 0 when TrainOptions.ValidationSize is 0", e.Message);
        using var model = new MlpVae(Small);
        Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions { Epochs = 3, Patience = 1 }));
        Assert.Equal(1, new TrainOptions { Patience = 1, ValidationSize = 4 }.Validate().Patience);
    }

    [Theory]
    [InlineData(nameof(TrainOptions.WeightDecay))]
    [InlineData(nameof(TrainOptions.ClipNorm))]
    [InlineData(nameof(TrainOptions.MaxMinutes))]
    public void An_infinite_option_is_refused_before_training_instead_of_failing_to_save_training_json(string field)
    {
        var options = field switch
        {
            nameof(TrainOptions.WeightDecay) => new TrainOptions { Epochs = 1, WeightDecay = double.PositiveInfinity },
            nameof(TrainOptions.ClipNorm) => new TrainOptions { Epochs = 1, ClipNorm = double.PositiveInfinity },
            _ => new TrainOptions { Epochs = 1, MaxMinutes = double.PositiveInfinity },
        };
        using var model = new MlpVae(Small);
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");

        // Accepted before, these trained a whole epoch and then failed to serialise the options into training.json.
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, options).Fit(Toy(), runFolder: run));

        Assert.Equal(field, e.ParamName);
        Assert.Contains($"{field} is {double.PositiveInfinity}; expected a finite number ≥ 0", e.Message);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_damaged_training_json_is_named_when_read()
    {
        string folder = RepoPaths.NewTempFolder();
        using var model = new MlpVae(Small);
        TrainingSummary summary = TinyVae.Summary(epochs: 3);
        Checkpoint.Save(model, folder, summary);
        Assert.Equal(System.Text.Json.Nodes.JsonNode.Parse(summary.ToJson())!.ToJsonString(), Checkpoint.ReadTrainingJson(folder));
        Assert.Equal(summary, Checkpoint.ReadTrainingSummary(folder));

        string path = Path.Combine(folder, Checkpoint.TrainingFile);
        File.WriteAllText(path, "{ \"epochs\": ");   // was a bare JsonReaderException
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadTrainingJson(folder));
        Assert.Contains($"{path} is not valid JSON", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadTrainingSummary(folder));
        Assert.Contains($"{path} is not valid JSON", e.Message);
    }
}
