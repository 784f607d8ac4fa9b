using System.Security.Cryptography;
using System.Text.Json.Nodes;
using SkiaSharp;
using Vae.Tests;
using Vae.Training.Training;

namespace Vae.Cli.Tests;

/// <summary>
/// The cases of the hostile-user probe (issue 20), each as it was run: the command ends with exit code 1 and one
/// <c>error:</c> line (2 when the command line does not parse) or with the correct result, and no file of an existing
/// run or model folder changes when a command is refused.
/// </summary>
public class ReliabilityCommandTests
{
    /// <summary>A one-epoch run of a 784-16-2 MLP on 300 MNIST images (seed 3), unless <paramref name="more"/> says otherwise.</summary>
    private static string[] Tiny(string run, params string[] more) =>
        ["train", "--data", RepoPaths.RequireMnist(), "--out", run, "--hidden", "16", "--latent", "2", "--limit", "300",
         .. more.Contains("--epochs") ? Array.Empty<string>() : ["--epochs", "1"], .. more.Contains("--seed") ? Array.Empty<string>() : ["--seed", "3"], .. more];

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                 .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>Labelled 28×28 gray PNGs: <paramref name="classes"/> sub-folders of <paramref name="perClass"/> images.</summary>
    private static string Digits(int classes = 4, int perClass = 3)
    {
        string folder = CliProcess.OpenFolder();
        for (int c = 0; c < classes; c++)
        {
            Directory.CreateDirectory(Path.Combine(folder, $"{c}"));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++) bitmap.SetPixel(x, y, (x + y + c * 7 + i) % 9 == 0 ? SKColors.White : SKColors.Black);
                using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(folder, $"{c}", $"{i}.png"), png.ToArray());
            }
        }
        return folder;
    }

    [Fact]
    public void A_command_line_that_does_not_parse_is_exit_code_2_and_help_is_0()
    {
        Assert.Equal(2, CliRun.Run("train", "--epochs", "abc").Exit);
        Assert.Equal(2, CliRun.Run("train", "--no-such-option").Exit);
        Assert.Equal(2, CliRun.Run("no-such-command").Exit);
        Assert.Equal(2, CliRun.Run().Exit);
        Assert.Equal(0, CliRun.Run("train", "--help").Exit);
        Assert.Equal(1, CliRun.Run("info", "--model", Path.Combine(RepoPaths.NewTempFolder(), "nothing")).Exit);
    }

    [Fact]
    public void Training_into_a_finished_run_is_refused_and_changes_nothing()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(Tiny(run));
        var before = Snapshot(run);

        string error = CliRun.Failure(Tiny(run));
        Assert.Equal($"error: --out {run} is not empty: it holds best/ (epoch 1), last/ (epoch 1), metrics.csv (1 epoch). " +
                     "Continue that run with --resume, replace it with --overwrite, or give another --out.", error);
        Assert.Contains("give one", CliRun.Failure(Tiny(run, "--resume", "--overwrite")));
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void Overwrite_replaces_the_run_and_says_so_and_a_failure_before_the_first_epoch_puts_it_back()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(Tiny(run));
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
        var before = Snapshot(run);

        // a CSV of values above 1 read with --scale 1: the Bernoulli model refuses it inside the run, after the old run was set aside
        string csv = Path.Combine(RepoPaths.NewTempFolder(), "big.csv");
        File.WriteAllText(csv, "2,3\n4,5\n");
        var (exit, _, error) = CliRun.Run("train", "--data", csv, "--scale", "1", "--out", run, "--overwrite", "--epochs", "1");
        Assert.Equal(1, exit);
        Assert.Contains("a Bernoulli likelihood needs values in [0, 1]", error);
        Assert.Equal(before, Snapshot(run));

        var (ok, output, _) = CliRun.Run(Tiny(run, "--overwrite", "--seed", "4"));
        Assert.Equal(0, ok);
        Assert.Contains($"replacing the run in {run} (best, last, metrics.csv)", output);
        Assert.NotEqual(before[Path.Combine("best", Checkpoint.WeightsFile)], Snapshot(run)[Path.Combine("best", Checkpoint.WeightsFile)]);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(run, "notes.txt")));
        Assert.Equal(["best", "last", "metrics.csv", "notes.txt"], Directory.GetFileSystemEntries(run).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Scoring_byte_data_read_as_is_with_a_bernoulli_model_is_refused_as_training_would()
    {
        string data = RepoPaths.RequireMnist();
        string error = CliRun.Failure("score", "--model", TestModel.Folder, "--data", data, "--scale", "1", "--count", "20", "--out", Path.Combine(RepoPaths.NewTempFolder(), "s.csv"));
        Assert.StartsWith($"error: sample 0, value ", error);
        Assert.Contains($"of {data} is ", error);
        Assert.Contains("read as x / 1; the model has a Bernoulli likelihood, which scores values in [0, 1]", error);
        Assert.Contains("a Bernoulli likelihood", CliRun.Failure("encode", "--model", TestModel.Folder, "--data", data, "--scale", "1", "--count", "5", "--out", Path.Combine(RepoPaths.NewTempFolder(), "c.csv")));
        Assert.Contains("a Bernoulli likelihood", CliRun.Failure("reconstruct", "--model", TestModel.Folder, "--data", data, "--scale", "1", "--out", Path.Combine(RepoPaths.NewTempFolder(), "r.png")));
    }

    [Fact]
    public void A_model_json_field_of_the_wrong_type_is_one_error_in_info_and_export_check()
    {
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "model");
        CliRun.Setup(["export", "--checkpoint", TestModel.Run, "--out", folder]);
        string modelJson = Path.Combine(folder, "model.json");
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(modelJson))!;
        json["checkpoint"] = 42;
        File.WriteAllText(modelJson, json.ToJsonString());
        string expected = $"error: {modelJson}: 'checkpoint' is 42; expected a string (the checkpoint folder the pair was exported from) or null.";
        Assert.Equal(expected, CliRun.Failure("info", "--model", folder));
        Assert.Equal(expected, CliRun.Failure("export", "--check", folder));
    }

    [Fact]
    public void Resuming_from_damaged_run_files_is_one_error_and_changes_nothing()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(Tiny(run));
        string training = Path.Combine(run, "last", Checkpoint.TrainingFile), state = Path.Combine(run, "last", TrainerState.File);
        var goodTraining = File.ReadAllText(training);
        File.WriteAllText(training, goodTraining.Replace("\"train_count\": 300", "\"train_count\": \"lots\""));
        var before = Snapshot(run);
        Assert.Equal($"error: {training}: 'train_count' is \"lots\"; expected a number of samples ≥ 0.", CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--out", run, "--limit", "300", "--resume", "--epochs", "2"));
        Assert.Equal(before, Snapshot(run));

        File.WriteAllText(training, goodTraining);
        var stateJson = (JsonObject)JsonNode.Parse(File.ReadAllText(state))!;
        byte[] garbage = new byte[5056];
        new Random(5).NextBytes(garbage);
        stateJson["noise_generator"] = Convert.ToBase64String(garbage);
        File.WriteAllText(state, stateJson.ToJsonString());
        before = Snapshot(run);
        string error = CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--out", run, "--limit", "300", "--resume", "--epochs", "2");
        Assert.StartsWith($"error: {state}: a generator state is damaged (", error);
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void Info_on_a_run_whose_best_checkpoint_was_being_replaced_puts_it_back()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        CliRun.Setup(Tiny(run));
        string best = Path.Combine(run, "best");
        Directory.Move(best, Path.Combine(run, $"best.{int.MaxValue}.0a0a.old"));   // a crash between the two renames of a save
        var (exit, output, error) = CliRun.Run("info", "--model", run);
        Assert.True(exit == 0, error);
        Assert.Contains($"checkpoint: {Path.GetFullPath(best)}", output);
        Assert.True(File.Exists(Path.Combine(best, Checkpoint.WeightsFile)));
    }

    [Fact]
    public void A_folder_link_loop_in_image_data_is_skipped_with_a_note_and_the_data_is_read_once()
    {
        string images = Digits();
        Directory.CreateSymbolicLink(Path.Combine(images, "0", "loop"), "..");
        string codes = Path.Combine(RepoPaths.NewTempFolder(), "codes.csv");
        var (exit, _, error) = CliRun.Run("encode", "--model", TestModel.Folder, "--data", images, "--out", codes);
        Assert.True(exit == 0, error);
        Assert.Equal("note: skipped 0/loop -> .. (a link to a folder; not followed)", error.Trim());
        Assert.Equal(1 + 12, File.ReadAllLines(codes).Length);
    }

    [UnprivilegedFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_unreadable_class_folder_or_image_is_an_error_naming_it_not_a_smaller_data_set()
    {
        string images = Digits(), home = CliProcess.OpenFolder(), codes = Path.Combine(home, "codes.csv");
        string locked = Path.Combine(images, "2");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var (exit, _, error) = await CliProcess.Run(home, unprivileged: true, "encode", "--model", TestModel.Folder, "--data", images, "--out", codes);
            Assert.Equal(1, exit);
            Assert.Equal($"error: {locked}: the folder cannot be read (permission denied); its images would be missing from the data set.", error.Trim());
            Assert.False(File.Exists(codes));
        }
        finally
        {
            File.SetUnixFileMode(locked, (UnixFileMode)0x1ED);   // rwxr-xr-x, so that the folder can be deleted
        }
        string image = Path.Combine(images, "1", "0.png");
        File.SetUnixFileMode(image, UnixFileMode.None);
        var (code, _, message) = await CliProcess.Run(home, unprivileged: true, "train", "--data", images, "--out", Path.Combine(home, "run"), "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Equal($"error: {image}: the image cannot be read (permission denied).", message.Trim());
        Assert.False(Directory.Exists(Path.Combine(home, "run")));
    }

    [UnprivilegedFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_run_folder_that_cannot_be_written_is_refused_before_training()
    {
        string home = CliProcess.OpenFolder(), run = Path.Combine(RepoPaths.NewTempFolder(), "readonly");
        Directory.CreateDirectory(run);
        File.SetUnixFileMode(run, (UnixFileMode)0x16D);   // r-xr-xr-x
        var (exit, output, error) = await CliProcess.Run(home, unprivileged: true, Tiny(run));
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: --out {run} cannot be written: ", error);
        Assert.DoesNotContain("epoch", output);
        Assert.Empty(Directory.GetFileSystemEntries(run));
    }

    [Fact]
    public async Task Onnx_runtime_writes_no_telemetry_store_under_home()
    {
        string home = CliProcess.OpenFolder();
        var (exit, _, error) = await CliProcess.Run(home, unprivileged: false, "info", "--model", TestModel.Folder);
        Assert.True(exit == 0, error);
        Assert.Empty(Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories));
    }
}
