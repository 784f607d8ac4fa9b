using System.Buffers.Binary;
using System.Text.Json.Nodes;
using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>
/// A run folder's own files, damaged by hand or by a disk, are typed errors naming the file and the field before
/// anything acts on them: a garbage generator state used to reach libtorch, which aborts the process (exit code 134).
/// </summary>
public class DamagedRunFileTests
{
    private static readonly TrainOptions Options = new() { Epochs = 1, BatchSize = 16, Seed = 3 };

    private static string Run(Likelihood likelihood = Likelihood.Bernoulli)
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        torch.random.manual_seed(3);
        using var model = new MlpVae(TinyVae.Config with { Likelihood = likelihood });
        new Trainer(model, Options).Fit(TinyVae.Data(32), runFolder: run);
        return run;
    }

    private static void Edit(string path, Action<JsonObject> change)
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private static byte[] CpuState()
    {
        using var generator = new Generator(7, CPU);
        using Tensor state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    [Theory]
    [InlineData(8, 0, "the Mersenne Twister's 'left' is 0; expected 1 to 624")]
    [InlineData(8, 9999, "the Mersenne Twister's 'left' is 9999; expected 1 to 624")]
    [InlineData(12, 0, "the Mersenne Twister is marked as never seeded")]
    [InlineData(16, 625, "the Mersenne Twister's 'next' is 625; expected 0 to 624")]
    public void A_generator_state_libtorch_would_abort_on_is_refused_first(int offset, int value, string expected)
    {
        byte[] state = CpuState();
        BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(offset), value);
        using var generator = new Generator(1, CPU);
        var e = Assert.Throws<ArgumentException>(() => TrainerState.Restore(generator, Convert.ToBase64String(state)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void A_generator_state_of_another_size_or_not_base64_is_refused_and_a_valid_one_restores_exactly()
    {
        using var generator = new Generator(1, CPU);
        Assert.StartsWith("the generator state is 3 bytes; a cpu generator's is 5,056",
                          Assert.Throws<ArgumentException>(() => TrainerState.Restore(generator, Convert.ToBase64String([1, 2, 3]))).Message);
        Assert.Throws<FormatException>(() => TrainerState.Restore(generator, "not base64!"));
        byte[] state = CpuState();
        TrainerState.Restore(generator, Convert.ToBase64String(state));
        Assert.Equal(state, Convert.FromBase64String(TrainerState.Capture(generator)));
    }

    [Fact]
    public void Resuming_with_a_garbage_generator_state_is_invalid_data_naming_state_json()
    {
        string run = Run(), state = Path.Combine(run, Checkpoint.LastFolder, TrainerState.File);
        byte[] garbage = new byte[5056];
        new Random(1).NextBytes(garbage);
        Edit(state, json => json["shuffle_generator"] = Convert.ToBase64String(garbage));
        torch.random.manual_seed(3);
        using var model = new MlpVae(TinyVae.Config);
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(model, Options with { Epochs = 2 }).Fit(TinyVae.Data(32), runFolder: run, resume: true));
        Assert.StartsWith($"{state}: a generator state is damaged (the Mersenne Twister's", e.Message);
    }

    [Theory]
    [InlineData("epoch", "0", "'epoch' is 0; expected the number of epochs done, at least 1")]
    [InlineData("best_epoch", "7", "'best_epoch' is 7; expected an epoch from 0 to 1")]
    [InlineData("seconds", "-3", "'seconds' is -3; expected a finite number of seconds ≥ 0")]
    [InlineData("noise_generator", "\"\"", "'noise_generator' is empty; expected the base64 state of the noise generator")]
    public void A_trainer_state_out_of_range_is_invalid_data_naming_the_file_and_field(string field, string value, string expected)
    {
        string run = Run(), last = Path.Combine(run, Checkpoint.LastFolder);
        Edit(Path.Combine(last, TrainerState.File), json => json[field] = JsonNode.Parse(value));
        var e = Assert.Throws<InvalidDataException>(() => TrainerState.Load(last));
        Assert.Equal($"{Path.Combine(last, TrainerState.File)}: {expected}.", e.Message);
    }

    [Fact]
    public void Trainer_state_options_out_of_range_are_invalid_data_naming_the_file()
    {
        string run = Run(), last = Path.Combine(run, Checkpoint.LastFolder);
        Edit(Path.Combine(last, TrainerState.File), json => json["options"]!["batch_size"] = 0);
        var e = Assert.Throws<InvalidDataException>(() => TrainerState.Load(last));
        Assert.Equal($"{Path.Combine(last, TrainerState.File)}: 'options' holds a value out of range: TrainOptions.BatchSize is 0; expected at least 1.", e.Message);
    }

    [Fact]
    public void Divergence_in_the_first_epoch_says_no_checkpoint_was_saved_and_later_names_the_one_that_was()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        float[] poisoned = TinyVae.Data(32).Features.ToArray();
        poisoned[5] = float.MaxValue;   // finite, so the data is accepted; its squared error is not, so the first batch diverges
        torch.random.manual_seed(3);
        using var model = new MlpVae(TinyVae.Config with { Likelihood = Likelihood.Gaussian });
        var first = Assert.Throws<TrainingDivergedException>(() => new Trainer(model, Options).Fit(new Dataset(poisoned, [12]), runFolder: run));
        Assert.Null(first.SavedCheckpoint);
        Assert.EndsWith("no checkpoint of this run had been saved.", first.Message);

        new Trainer(model, Options).Fit(TinyVae.Data(32), runFolder: Path.Combine(run, "..", "good"));
        string good = Path.Combine(run, "..", "good");
        var later = Assert.Throws<TrainingDivergedException>(() => new Trainer(model, Options with { Epochs = 2 }).Fit(new Dataset(poisoned, [12]), runFolder: good, resume: true));
        string last = Path.Combine(good, Checkpoint.LastFolder);
        Assert.Equal(last, later.SavedCheckpoint);
        Assert.EndsWith($"the checkpoint of epoch 1 in {last} is intact.", later.Message);
    }
}
