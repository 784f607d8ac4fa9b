using System.Text;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using Xunit.Abstractions;

namespace Vae.Training.Tests.Fuzz;

/// <summary>
/// Run folders with one damaged file — config.json, state.json, training.json, normalization.json, weights.bin,
/// optimizer.bin of <c>last/</c> or <c>best/</c>, or metrics.csv: resuming the run and loading its best checkpoint give
/// the run as its files hold it, or a typed error naming the run folder's file (no unhandled exception, no native
/// abort — libtorch ends the process on a bad generator state, so that state is checked first).
/// </summary>
public class CheckpointFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<string> Run = new(Train);
    private static readonly string[] Files =
    [
        "last/config.json", "last/state.json", "last/training.json", "last/normalization.json", "last/weights.bin", "last/optimizer.bin",
        "best/config.json", "best/training.json", "best/weights.bin", "metrics.csv",
    ];

    [Fact]
    public void Damaged_run_folders_resume_and_load_or_are_refused_naming_the_file()
    {
        string source = Run.Value;
        string root = RepoPaths.NewTempFolder();
        FuzzRunner.Run("checkpoints", FuzzRunner.Cases(2000), seed: 7_000, (random, i) =>
        {
            string run = Path.Combine(root, $"case{i}");
            CopyTree(source, run);
            string file = Files[random.Next(Files.Length)];
            string path = Path.Combine(run, file);
            string what;
            if (file.EndsWith(".json", StringComparison.Ordinal))
            {
                (string text, what) = FuzzMutator.Json(File.ReadAllText(path), random);
                File.WriteAllText(path, text);
            }
            else if (file.EndsWith(".csv", StringComparison.Ordinal))
            {
                (string text, what) = FuzzMutator.Csv(File.ReadAllText(path), random);
                File.WriteAllText(path, text);
            }
            else
            {
                (byte[] bytes, what) = FuzzMutator.Bytes(File.ReadAllBytes(path), random);
                File.WriteAllBytes(path, bytes);
            }
            return new FuzzCase
            {
                Description = $"{file}: {what}",
                IsClearError = e => e is InvalidDataException or ArgumentException or FileNotFoundException && e.Message.Contains(run, StringComparison.Ordinal),
                Read = () =>
                {
                    torch.random.manual_seed(1);
                    using (VaeModule model = Checkpoint.Create(TinyVae.Config))
                    {
                        IReadOnlyList<EpochMetrics> history = new Trainer(model, Options).Fit(Data, Test, run, resume: true);
                        if (history.Count != 1) throw new FuzzMismatch($"resumed with {history.Count} epochs of metrics; the run has 1");
                    }
                    using VaeModule best = Checkpoint.Load(run);
                    // the config the model was built from is the file's
                    if (!best.Config.SameAs(VaeConfig.Load(Path.Combine(run, Checkpoint.BestFolder, Checkpoint.ConfigFile))))
                        throw new FuzzMismatch($"best/ loaded as {best.Config.ToJson()}, not as its config.json says");
                },
            };
        }, output);
    }

    [Fact]
    public void Metrics_csv_is_read_back_exactly_or_refused_naming_it()
    {
        string valid = File.ReadAllText(Path.Combine(Run.Value, MetricsLog.File));
        string root = RepoPaths.NewTempFolder();
        FuzzRunner.Run("metrics.csv", FuzzRunner.Cases(3000), seed: 8_000, (random, i) =>
        {
            var (text, what) = FuzzMutator.Csv(valid, random);
            string path = Path.Combine(root, $"case{i}.csv");
            File.WriteAllText(path, text, new UTF8Encoding(false));
            return new FuzzCase
            {
                Description = what,
                IsClearError = e => e is InvalidDataException && e.Message.Contains(path, StringComparison.Ordinal),
                Read = () =>
                {
                    IReadOnlyList<EpochMetrics> rows = new MetricsLog(path).Read(1);
                    // the row read is the file's first data row, written back as it was read
                    string first = File.ReadLines(path).Skip(1).First();
                    if (rows.Count != 1 || rows[0] != EpochMetrics.FromCsv(first))
                        throw new FuzzMismatch($"read {rows.Count} rows; expected the one of epoch 1");
                },
            };
        }, output);
    }

    private static readonly TrainOptions Options = new() { Epochs = 1, BatchSize = 16, Seed = 3 };
    private static readonly Dataset Data = Normalized(TinyVae.Data(48));
    private static readonly Dataset Test = Normalized(TinyVae.Data(16));

    private static Dataset Normalized(Dataset data) =>
        new(data.Features, data.SampleShape) { Normalization = InputNormalization.Scale(1f) };   // so that normalization.json is written

    /// <summary>A one-epoch run of the 12-8-2 MLP with a test set: best/, last/ and metrics.csv.</summary>
    private static string Train()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        torch.random.manual_seed(1);
        using VaeModule model = Checkpoint.Create(TinyVae.Config);
        new Trainer(model, Options).Fit(Data, Test, run);
        return run;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.GetDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
