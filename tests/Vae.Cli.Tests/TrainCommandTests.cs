using System.Globalization;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Training;

namespace Vae.Cli.Tests;

/// <summary><c>vae train</c> reading its training and test sets from different kinds of data.</summary>
public class TrainCommandTests
{
    [Fact]
    public void Csv_training_data_with_an_mnist_folder_as_test_data_tests_on_its_t10k_split()
    {
        string folder = RepoPaths.NewTempFolder(), mnist = RepoPaths.RequireMnist(), csv = Path.Combine(folder, "train.csv");
        Dataset train = Mnist.LoadTrain(mnist).Take(300);
        File.WriteAllLines(csv, Enumerable.Range(0, train.Count).Select(i =>
            string.Join(',', train.Features.AsSpan(i * 784, 784).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

        var (exit, output, error) = CliRun.Run("train", "--data", csv, "--shape", "1,28,28", "--test-data", mnist,
                                               "--hidden", "16", "--latent", "2", "--epochs", "1", "--out", Path.Combine(folder, "run"));
        Assert.True(exit == 0, error);
        Assert.Contains("data: 300 training samples of shape [1, 28, 28], 10000 test samples", output);
    }

    private static string[] Tiny(string run, params string[] more) =>
        ["train", "--data", RepoPaths.RequireMnist(), "--out", run, "--hidden", "16", "--latent", "2", "--limit", "500", "--seed", "3", .. more];

    [Fact]
    public void Resume_continues_to_the_weights_of_an_uninterrupted_run()
    {
        string folder = RepoPaths.NewTempFolder(), whole = Path.Combine(folder, "whole"), split = Path.Combine(folder, "split");
        CliRun.Setup(Tiny(whole, "--epochs", "2"), Tiny(split, "--epochs", "1"));
        var (exit, output, error) = CliRun.Run("train", "--data", RepoPaths.RequireMnist(), "--limit", "500", "--out", split, "--resume", "--epochs", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("stopped after epoch 2", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "last", "weights.bin")), File.ReadAllBytes(Path.Combine(split, "last", "weights.bin")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(split, "metrics.csv")).Length);   // header + epochs 1 and 2
    }

    [Fact]
    public void Resume_without_an_earlier_run_says_what_it_needs()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "none");
        string error = CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--limit", "500", "--out", run, "--resume");
        Assert.Contains(Path.Combine(run, "last", "state.json") + " is missing; resuming needs the 'last' checkpoint", error);
    }

    [Fact]
    public void Resume_refuses_settings_that_would_change_the_run()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(Tiny(run, "--epochs", "1"));
        string before = File.ReadAllText(Path.Combine(run, "metrics.csv"));

        string error = CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--limit", "500", "--out", run, "--resume", "--epochs", "2", "--lr", "0.01", "--hidden", "32");
        Assert.Contains("--hidden, --lr cannot change (only --epochs and --max-minutes may)", error);
        Assert.Equal(before, File.ReadAllText(Path.Combine(run, "metrics.csv")));
    }

    [Fact]
    public void Output_bias_start_is_recorded_in_training_json_refused_on_resume_and_checked()
    {
        string folder = RepoPaths.NewTempFolder(), preset = Path.Combine(folder, "preset"), uniform = Path.Combine(folder, "uniform");
        CliRun.Setup(Tiny(preset, "--epochs", "1"), Tiny(uniform, "--epochs", "1", "--output-bias", "uniform"));
        static string Recorded(string run)
        {
            using var json = System.Text.Json.JsonDocument.Parse(Checkpoint.ReadTrainingJson(Path.Combine(run, "best")));
            return json.RootElement.GetProperty("options").GetProperty("output_bias").GetString()!;
        }
        Assert.Equal("data_mean", Recorded(preset));   // the pytorch-example preset's
        Assert.Equal("uniform", Recorded(uniform));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(preset, "best", "weights.bin")), File.ReadAllBytes(Path.Combine(uniform, "best", "weights.bin")));

        Assert.Contains("--output-bias cannot change", CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--limit", "500", "--out", uniform, "--resume", "--epochs", "2", "--output-bias", "data-mean"));
        Assert.Contains("--output-bias is 'zero'; expected data-mean or uniform", CliRun.Failure(Tiny(Path.Combine(folder, "bad"), "--output-bias", "zero")));
        Assert.False(Directory.Exists(Path.Combine(folder, "bad")));
    }

    [Fact]
    public void Resume_from_a_damaged_state_file_names_it()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(Tiny(run, "--epochs", "1"));
        string state = Path.Combine(run, "last", "state.json");
        File.WriteAllText(state, "{ \"epoch\": ");

        string error = CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--limit", "500", "--out", run, "--resume", "--epochs", "2");
        Assert.Contains($"{state} is not a valid trainer state", error);
    }

    [Fact]
    public void Outputs_that_cannot_be_written_are_refused_before_any_work()
    {
        // train --out <a file> trained every epoch, then died on the first checkpoint with "Could not find a part of the path"
        string folder = RepoPaths.NewTempFolder(), file = Path.Combine(folder, "taken");
        File.WriteAllText(file, "keep me");
        Assert.Contains($"--out {file} is a file; expected a folder", CliRun.Failure(Tiny(file, "--epochs", "1")));
        Assert.Contains($"--out {file} is a file; expected a folder", CliRun.Failure("export", "--checkpoint", TestModel.Run, "--out", file));
        Assert.Contains($"{file} is a file, not a folder", CliRun.Failure("generate", "--model", TestModel.Folder, "--out", Path.Combine(file, "g.png")));
        string csvFolder = Directory.CreateDirectory(Path.Combine(folder, "codes.csv")).FullName;
        Assert.Contains($"--out {csvFolder} is a folder; expected a file name",
                        CliRun.Failure("encode", "--model", TestModel.Folder, "--data", RepoPaths.RequireMnist(), "--out", csvFolder));
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Tensorboard_folder_that_is_a_file_is_refused_before_any_work()
    {
        string folder = RepoPaths.NewTempFolder(), file = Path.Combine(folder, "taken"), run = Path.Combine(folder, "run");
        File.WriteAllText(file, "keep me");
        Assert.Contains($"--tensorboard {file} is a file; expected a folder", CliRun.Failure(Tiny(run, "--epochs", "1", "--tensorboard", file)));
        Assert.Contains($"--tensorboard {file} is a file; expected a folder",
                        CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--out", run, "--resume", "--tensorboard", file));
        Assert.False(Directory.Exists(run));
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Tensorboard_events_of_a_resumed_run_continue_its_steps_with_the_figures_of_metrics_csv()
    {
        string folder = RepoPaths.NewTempFolder(), run = Path.Combine(folder, "run"), board = Path.Combine(folder, "board");
        CliRun.Setup(Tiny(run, "--epochs", "1", "--val-size", "100", "--tensorboard", board));
        var (exit, output, error) = CliRun.Run("train", "--data", RepoPaths.RequireMnist(), "--limit", "500", "--out", run, "--resume", "--epochs", "3", "--tensorboard", board);
        Assert.True(exit == 0, error);

        string[] files = Directory.GetFiles(board).Order(StringComparer.Ordinal).ToArray();   // one per session, in session order
        Assert.Equal(2, files.Length);
        Assert.Contains($"TensorBoard: {files[1]}", output);
        var first = TfEvents.Read(files[0]);
        var second = TfEvents.Read(files[1]);
        Assert.All([first[0], second[0]], e => Assert.Equal("brain.Event:2", e.FileVersion));
        Assert.Equal([1L], first.Skip(1).Select(e => e.Step));
        Assert.Equal([2L, 3], second.Skip(1).Select(e => e.Step));

        var rows = File.ReadLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(EpochMetrics.FromCsv).ToArray();
        foreach (var (e, m) in first.Skip(1).Concat(second.Skip(1)).Zip(rows))
        {
            Assert.Equal(m.Epoch, e.Step);
            Assert.Equal(TfEvents.Expected(m), e.Scalars);
        }
    }

    [Fact]
    public async Task A_model_too_big_for_memory_is_one_out_of_memory_error_not_libtorch_frames()
    {
        // A separate process under a 6 GB address-space cap: 5 inputs × 100,000,000 hidden units is a 2 GB weight.
        // It used to end in "Unhandled exception: System.Runtime.InteropServices.ExternalException … frame #0 …".
        string folder = RepoPaths.NewTempFolder(), csv = Path.Combine(folder, "tiny.csv");
        File.WriteAllText(csv, "0.1,0.2,0.3,0.4,0.5\n0.5,0.6,0.7,0.8,0.9\n");
        string vae = Path.Combine(AppContext.BaseDirectory, "vae.dll");
        var start = new System.Diagnostics.ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", $"ulimit -v 6000000 && exec dotnet '{vae}' train --data '{csv}' --hidden 100000000 --latent 2 --epochs 1 --out '{Path.Combine(folder, "run")}'" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith("error: out of memory: libtorch could not allocate 2,000,000,000 bytes; the model", error);
        Assert.DoesNotContain("frame #", error);
        Assert.Contains("data: 2 training samples", await output);
        Assert.False(Directory.Exists(Path.Combine(folder, "run", "last")));
    }
}
