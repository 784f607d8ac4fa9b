using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class TrainerTests
{
    private static readonly VaeConfig Small = TinyVae.Config;

    private static Dataset Toy(int count = 64, int size = 12) => TinyVae.Data(count, size);

    private static float[] Weights(VaeModule model) => model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void One_epoch_on_real_mnist_lowers_the_test_negative_elbo()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset train = Mnist.LoadTrain(mnist).Take(10_000);
        Dataset test = Mnist.LoadTest(mnist).Take(2_000);
        torch.random.manual_seed(1);
        using var model = new MlpVae(new VaeConfig());
        using var testSet = TensorSet.From(test, model, "test");
        double before = Evaluation.NegElbo(model, testSet, 1000, seed: 1).NegElbo;

        var history = new Trainer(model, new TrainOptions { Epochs = 1 }).Fit(train, test);

        double after = Assert.Single(history).Test!.NegElbo;
        Assert.True(after < before - 100, $"test -ELBO went from {before:F1} to {after:F1} nats");
        Assert.True(after < 200, $"one epoch on 10k images should reach below 200 nats, got {after:F1}");
    }

    [Fact]
    public void A_run_folder_that_is_a_file_is_refused_before_training()
    {
        string file = Path.Combine(RepoPaths.NewTempFolder(), "taken");
        File.WriteAllText(file, "keep me");
        using var model = new MlpVae(Small);
        int epochs = 0;
        var trainer = new Trainer(model, new TrainOptions { Epochs = 1 }) { OnEpoch = _ => epochs++ };

        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(Toy(), runFolder: file));
        Assert.Contains($"run folder {file} is a file; expected a folder", e.Message);
        e = Assert.Throws<ArgumentException>(() => trainer.Fit(Toy(), runFolder: Path.Combine(file, "run")));
        Assert.Contains($"{file} is a file, not a folder", e.Message);
        Assert.Equal(0, epochs);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Kl_matches_the_closed_form_of_kingma_and_welling()
    {
        using var mean = tensor(new float[] { 0.5f, -1f }, [1, 2]);
        using var logvar = tensor(new float[] { 0f, MathF.Log(4f) }, [1, 2]);
        // ½ Σ (μ² + σ² − 1 − log σ²) = ½ [(0.25 + 1 − 1 − 0) + (1 + 4 − 1 − log 4)]
        double expected = 0.5 * (0.25 + (4 - Math.Log(4)));
        Assert.Equal(expected, Elbo.GaussianKl(mean, logvar).item<float>(), 5);
    }

    [Fact]
    public void Same_seed_gives_identical_weights()
    {
        var options = new TrainOptions { Epochs = 2, BatchSize = 16, Seed = 7, ValidationSize = 8, Samples = 2, WarmupEpochs = 1, ClipNorm = 5 };
        float[] Train()
        {
            torch.random.manual_seed(7);
            using var model = new MlpVae(Small with { Binarize = true });
            new Trainer(model, options).Fit(Toy());
            return Weights(model);
        }
        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void Resumed_run_equals_the_uninterrupted_run()
    {
        var options = new TrainOptions { Epochs = 4, BatchSize = 16, Seed = 5, ValidationSize = 16, Schedule = LrSchedule.Cosine, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01, WarmupEpochs = 2 };
        VaeConfig config = Small with { Binarize = true };
        Dataset data = Toy(96);

        string straight = RepoPaths.NewTempFolder();
        torch.random.manual_seed(5);
        using var a = new MlpVae(config);
        var full = new Trainer(a, options).Fit(data, runFolder: straight);

        // The first session dies right after epoch 2's checkpoints are written.
        string interrupted = RepoPaths.NewTempFolder();
        torch.random.manual_seed(5);
        using (var first = new MlpVae(config))
        {
            var crashing = new Trainer(first, options) { OnEpoch = m => { if (m.Epoch == 2) throw new OperationCanceledException("simulated crash"); } };
            Assert.Throws<OperationCanceledException>(() => crashing.Fit(data, runFolder: interrupted));
        }
        Assert.Equal(2, TrainerState.Load(Path.Combine(interrupted, Checkpoint.LastFolder)).Epoch);
        torch.random.manual_seed(999); // a fresh process would not share the global generator's state
        using var b = new MlpVae(config);
        var resumed = new Trainer(b, options).Fit(data, runFolder: interrupted, resume: true);

        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(4, resumed.Count);
        Assert.Equal(full.Select(m => m.Validation!.NegElbo), resumed.Select(m => m.Validation!.NegElbo));
        Assert.Equal(File.ReadLines(Path.Combine(straight, "metrics.csv")).Select(l => l.Split(',')[..^1]),
                     File.ReadLines(Path.Combine(interrupted, "metrics.csv")).Select(l => l.Split(',')[..^1]));
    }

    [Fact]
    public void Resume_with_other_options_is_refused()
    {
        string run = RepoPaths.NewTempFolder();
        using var model = new MlpVae(Small);
        new Trainer(model, new TrainOptions { Epochs = 1, BatchSize = 16 }).Fit(Toy(), runFolder: run);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions { Epochs = 2, BatchSize = 32 }).Fit(Toy(), runFolder: run, resume: true));
        Assert.Contains("same ones", e.Message);
    }

    [Fact]
    public void Resume_with_another_number_of_samples_is_refused_before_anything_is_written()
    {
        // `vae train --limit 2000 --epochs 2`, then `--resume --epochs 3` without --limit used to train epoch 3 on all 60,000 images
        string run = RepoPaths.NewTempFolder();
        var options = new TrainOptions { Epochs = 1, BatchSize = 16 };
        using var model = new MlpVae(Small);
        new Trainer(model, options).Fit(Toy(64), Toy(32), runFolder: run);
        string metrics = File.ReadAllText(Path.Combine(run, MetricsLog.File));

        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, options with { Epochs = 2 }).Fit(Toy(96), Toy(32), runFolder: run, resume: true));
        Assert.Contains("was trained with train_count 64, but this session has 96; resume with the same data, read with the same DataOptions, as the run", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Trainer(model, options with { Epochs = 2 }).Fit(Toy(64), runFolder: run, resume: true));
        Assert.Contains("was trained with test_count 32, but this session has 0", e.Message);
        Assert.Equal(1, TrainerState.Load(Path.Combine(run, Checkpoint.LastFolder)).Epoch);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(run, MetricsLog.File)));

        Assert.Equal(2, new Trainer(model, options with { Epochs = 2 }).Fit(Toy(64), Toy(32), runFolder: run, resume: true).Count);

        // a damaged training.json is named (it was JsonDocument's bare JsonException)
        string training = Path.Combine(run, Checkpoint.LastFolder, Checkpoint.TrainingFile);
        File.WriteAllText(training, "{ \"train_count\": 6");
        var damaged = Assert.Throws<InvalidDataException>(() => new Trainer(model, options with { Epochs = 3 }).Fit(Toy(64), Toy(32), runFolder: run, resume: true));
        Assert.StartsWith($"{training} is not valid JSON", damaged.Message);
        // a field of the wrong type is named too (it was an unhandled InvalidOperationException)
        File.WriteAllText(training, File.ReadAllText(Path.Combine(run, Checkpoint.BestFolder, Checkpoint.TrainingFile)).Replace("\"train_count\": 64", "\"train_count\": \"lots\""));
        damaged = Assert.Throws<InvalidDataException>(() => new Trainer(model, options with { Epochs = 3 }).Fit(Toy(64), Toy(32), runFolder: run, resume: true));
        Assert.Equal($"{training}: 'train_count' is \"lots\"; expected a number of samples ≥ 0.", damaged.Message);
    }

    [Fact]
    public void Nan_stops_training_naming_epoch_and_batch_and_keeps_the_last_checkpoint()
    {
        string run = RepoPaths.NewTempFolder();
        var options = new TrainOptions { Epochs = 1, BatchSize = 16, Seed = 3 };
        torch.random.manual_seed(3);
        using var model = new MlpVae(Small with { Likelihood = Likelihood.Gaussian });   // a Bernoulli model refuses values outside [0, 1] up front
        new Trainer(model, options).Fit(Toy(), runFolder: run);
        string last = Path.Combine(run, Checkpoint.LastFolder);
        byte[] weights = File.ReadAllBytes(Path.Combine(last, Checkpoint.WeightsFile));

        float[] poisoned = Toy().Features.ToArray();
        poisoned[5] = float.MaxValue; // finite, so the data is accepted; its squared error is not: every batch containing sample 0 diverges
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(model, options with { Epochs = 2 }).Fit(new Dataset(poisoned, [12]), runFolder: run, resume: true));

        Assert.Equal((2, DivergenceKind.BatchLoss), (e.Epoch, e.Kind));
        Assert.InRange(e.Batch, 1, 4);
        Assert.Contains($"epoch 2, batch {e.Batch}", e.Message);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(last, Checkpoint.WeightsFile)));
        Assert.Equal(1, TrainerState.Load(last).Epoch);
    }

    [Fact]
    public void Weights_left_non_finite_by_the_last_step_are_never_checkpointed()
    {
        // the epoch's last batch had a finite loss and its step left NaN weights (simulated after the step): that run
        // used to end normally and save them as best/ and last/
        string run = RepoPaths.NewTempFolder();
        torch.random.manual_seed(5);
        using var model = new MlpVae(Small);
        var trainer = new Trainer(model, new TrainOptions { Epochs = 1, BatchSize = 8 })
        {
            OnBatch = progress =>
            {
                if (progress.Batch < progress.Batches) return;
                using var noGrad = torch.no_grad();
                model.parameters().First().fill_(float.NaN);
            },
        };

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Toy(16), runFolder: run));
        Assert.Equal((1, DivergenceKind.Weights, 0), (e.Epoch, e.Kind, e.Batch));
        Assert.Contains("the weights hold NaN or infinity after the last step of epoch 1", e.Message);
        Assert.False(Directory.Exists(Path.Combine(run, Checkpoint.BestFolder)));
        Assert.False(Directory.Exists(Path.Combine(run, Checkpoint.LastFolder)));
    }

    [Fact]
    public void Resume_from_a_damaged_optimizer_or_generator_state_names_the_file()
    {
        string run = RepoPaths.NewTempFolder(), last = Path.Combine(run, Checkpoint.LastFolder);
        var options = new TrainOptions { Epochs = 1, BatchSize = 16 };
        torch.random.manual_seed(7);
        using var model = new MlpVae(Small);
        new Trainer(model, options).Fit(Toy(), runFolder: run);
        string optimizer = Path.Combine(last, TrainerState.OptimizerFile), state = Path.Combine(last, TrainerState.File);
        byte[] optimizerBytes = File.ReadAllBytes(optimizer);
        string stateText = File.ReadAllText(state);

        File.WriteAllBytes(optimizer, optimizerBytes[..(optimizerBytes.Length / 2)]);   // was a bare EndOfStreamException
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(model, options with { Epochs = 2 }).Fit(Toy(), runFolder: run, resume: true));
        Assert.Contains($"{optimizer} is damaged or was replaced: its SHA-256 is ", e.Message);
        // a state saved before the digests were recorded: TorchSharp's reader finds the damage, and the file is named
        var undigested = System.Text.Json.Nodes.JsonNode.Parse(stateText)!.AsObject();
        undigested.Remove("weights_sha256");
        undigested.Remove("optimizer_sha256");
        File.WriteAllText(state, undigested.ToJsonString());
        e = Assert.Throws<InvalidDataException>(() => new Trainer(model, options with { Epochs = 2 }).Fit(Toy(), runFolder: run, resume: true));
        Assert.Contains($"{optimizer} is not the optimiser state of this run", e.Message);

        File.WriteAllBytes(optimizer, optimizerBytes);
        var json = System.Text.Json.Nodes.JsonNode.Parse(stateText)!;
        json["shuffle_generator"] = "not base64!";                                          // was a bare FormatException
        File.WriteAllText(state, json.ToJsonString());
        e = Assert.Throws<InvalidDataException>(() => new Trainer(model, options with { Epochs = 2 }).Fit(Toy(), runFolder: run, resume: true));
        Assert.Contains($"{state}: a generator state is damaged", e.Message);
    }

    private static List<(string File, string Bytes)> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order()
                 .Select(f => (f, Convert.ToBase64String(File.ReadAllBytes(f)))).ToList();

    [Theory]
    [InlineData("missing")]
    [InlineData("short")]
    [InlineData("bad number")]
    [InlineData("bad header")]
    [InlineData("repeated epoch")]
    public void Resume_with_a_missing_short_or_damaged_metrics_csv_is_refused_and_writes_nothing(string damage)
    {
        // resume used to keep whatever rows it could read (none for a missing file), train on and rewrite
        // metrics.csv without the others; a bad number was a bare FormatException
        string run = RepoPaths.NewTempFolder(), metrics = Path.Combine(run, MetricsLog.File);
        var options = new TrainOptions { Epochs = 2, BatchSize = 16 };
        torch.random.manual_seed(7);
        using var model = new MlpVae(Small);
        new Trainer(model, options).Fit(Toy(), runFolder: run);
        string[] lines = File.ReadAllLines(metrics);
        Assert.Equal(3, lines.Length);   // header + epochs 1 and 2
        switch (damage)
        {
            case "missing": File.Delete(metrics); break;
            case "short": File.WriteAllLines(metrics, lines[..2]); break;
            case "bad number": File.WriteAllLines(metrics, [lines[0], lines[1], string.Join(',', ["2", "oops", .. lines[2].Split(',')[2..]])]); break;
            case "bad header": File.WriteAllLines(metrics, ["epoch;loss", .. lines[1..]]); break;
            default: File.WriteAllLines(metrics, [lines[0], lines[1], lines[1]]); break;
        }
        var before = Snapshot(run);

        Exception e = Assert.ThrowsAny<Exception>(() => new Trainer(model, options with { Epochs = 3 }).Fit(Toy(), runFolder: run, resume: true));

        Assert.IsType(damage == "missing" ? typeof(FileNotFoundException) : typeof(InvalidDataException), e);
        Assert.Contains(metrics, e.Message);
        Assert.Contains(damage switch
        {
            "missing" => "is missing; the checkpoint being resumed is at epoch 2, so rows for epochs 1–2 were expected",
            "short" => "has rows for epochs 1–1; the checkpoint being resumed is at epoch 2, so rows for epochs 1–2 were expected",
            "bad number" => "line 3: metrics row '2,oops,",
            "bad header" => "line 1: the header is 'epoch;loss'; expected 'epoch,train_loss,",
            _ => "line 3: epoch 1; expected epoch 2 (one row per epoch, in order)",
        }, e.Message);
        if (damage == "bad number") Assert.Contains("train_loss is 'oops'; expected a number", e.Message);
        Assert.Contains("Restore the file, or start a new run instead of resuming", e.Message);
        Assert.Equal(before, Snapshot(run));   // nothing written: no file clobbered, no checkpoint advanced
    }

    [Fact]
    public void Resume_drops_the_row_of_an_epoch_whose_checkpoint_was_never_written_and_trains_it_again()
    {
        // metrics.csv is written before last/: a run stopped between the two has one row more than its checkpoint
        string run = RepoPaths.NewTempFolder(), last = Path.Combine(run, Checkpoint.LastFolder), epoch1 = Path.Combine(RepoPaths.NewTempFolder(), "last-1");
        var options = new TrainOptions { Epochs = 1, BatchSize = 16, Seed = 4 };
        torch.random.manual_seed(4);
        using var model = new MlpVae(Small);
        new Trainer(model, options).Fit(Toy(), runFolder: run);
        Directory.CreateDirectory(epoch1);
        foreach (string f in Directory.GetFiles(last)) File.Copy(f, Path.Combine(epoch1, Path.GetFileName(f)));
        new Trainer(model, options with { Epochs = 2 }).Fit(Toy(), runFolder: run, resume: true);
        string[] straight = File.ReadAllLines(Path.Combine(run, MetricsLog.File));
        Directory.Delete(last, recursive: true);
        Directory.Move(epoch1, last);   // as if the second session stopped after writing metrics.csv

        var history = new Trainer(model, options with { Epochs = 2 }).Fit(Toy(), runFolder: run, resume: true);

        Assert.Equal([1, 2], history.Select(m => m.Epoch));
        Assert.Equal(straight.Select(l => l.Split(',')[..^1]), File.ReadLines(Path.Combine(run, MetricsLog.File)).Select(l => l.Split(',')[..^1]));
    }

    [Fact]
    public void A_checkpoint_moved_aside_by_a_crash_between_its_renames_is_put_back_by_load_and_resume()
    {
        // WriteFolder moves the old folder aside, then the new one in; a crash between the two left no last/ (resume
        // said state.json was missing) and no best/, though the previous checkpoints were complete beside them.
        string run = RepoPaths.NewTempFolder(), last = Path.Combine(run, Checkpoint.LastFolder), best = Path.Combine(run, Checkpoint.BestFolder);
        var options = new TrainOptions { Epochs = 1, BatchSize = 16, Seed = 4 };
        torch.random.manual_seed(4);
        using var model = new MlpVae(Small);
        new Trainer(model, options).Fit(Toy(), runFolder: run);
        Directory.Move(last, $"{last}.4242.0a.old");
        Directory.CreateDirectory($"{last}.4242.0b.tmp");   // the new checkpoint, half written
        Directory.Move(best, $"{best}.4242.0c.old");

        using (VaeModule loaded = Checkpoint.Load(run)) Assert.Equal(Weights(model), Weights(loaded));
        var history = new Trainer(model, options with { Epochs = 2 }).Fit(Toy(), runFolder: run, resume: true);

        Assert.Equal([1, 2], history.Select(m => m.Epoch));
        Assert.Equal(2, TrainerState.Load(last).Epoch);
        Assert.Empty(Directory.GetDirectories(run, "*.old"));
    }

    [Fact]
    public void A_learning_rate_beyond_float32_is_refused_up_front()
    {
        // libtorch failed inside the first step: "value cannot be converted to type float without overflow"
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { LearningRate = 1e300 }.Validate());
        Assert.Contains("LearningRate is 1E+300; expected > 0 and within float32's range", e.Message);
    }

    [Fact]
    public void Early_stopping_ends_the_run_after_patience_epochs_without_improvement()
    {
        // A learning rate of 1e-12 leaves the weights (nearly) unchanged, so validation cannot keep improving.
        torch.random.manual_seed(4);
        using var model = new MlpVae(Small);
        var trainer = new Trainer(model, new TrainOptions { Epochs = 50, BatchSize = 16, LearningRate = 1e-12, ValidationSize = 16, Patience = 2 });
        var history = trainer.Fit(Toy());
        Assert.Equal(TrainingStopReason.EarlyStopping, trainer.StopReason);
        Assert.True(history.Count < 50);
    }

    [Fact]
    public void Stop_reason_says_whether_all_epochs_ran_or_the_time_budget_ended_the_run()
    {
        torch.random.manual_seed(4);
        using var model = new MlpVae(Small);
        var trainer = new Trainer(model, new TrainOptions { Epochs = 2, BatchSize = 16 });
        Assert.Null(trainer.StopReason);
        Assert.Equal(2, trainer.Fit(Toy()).Count);
        Assert.Equal(TrainingStopReason.AllEpochsDone, trainer.StopReason);

        // a budget far shorter than one epoch: the run stops after its first epoch
        var budgeted = new Trainer(model, new TrainOptions { Epochs = 5, BatchSize = 16, MaxMinutes = 1e-9 });
        Assert.Single(budgeted.Fit(Toy()));
        Assert.Equal(TrainingStopReason.TimeLimit, budgeted.StopReason);
    }

    [Fact]
    public void Iwae_training_lowers_the_bound_on_mnist()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset train = Mnist.LoadTrain(mnist).Take(2_000);
        torch.random.manual_seed(6);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [64], LatentSize = 8, Binarize = true });
        var history = new Trainer(model, new TrainOptions { Epochs = 2, Samples = 5, ValidationSize = 500 }).Fit(train);
        Assert.True(history[1].TrainLoss < history[0].TrainLoss, $"train -IWAE bound {history[0].TrainLoss:F1} → {history[1].TrainLoss:F1}");
        Assert.True(history[1].Validation!.NegElbo < history[0].Validation!.NegElbo,
                    $"validation -ELBO {history[0].Validation!.NegElbo:F1} → {history[1].Validation!.NegElbo:F1}");
    }

    [Fact]
    public void Wrong_input_shape_is_rejected_with_both_shapes()
    {
        using var model = new MlpVae(new VaeConfig());
        var data = new Dataset(new float[10 * 12], [12]);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions()).Fit(data, data));
        Assert.Contains("[12]", e.Message);
        Assert.Contains("[1, 28, 28]", e.Message);
    }
}
