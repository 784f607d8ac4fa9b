using Vae.Tests;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>What a run folder holds, and replacing a run without losing it before the new one has saved an epoch.</summary>
public class RunFolderTests
{
    private static string FinishedRun()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        TorchSharp.torch.random.manual_seed(2);
        using var model = Checkpoint.Create(TinyVae.Config);
        new Trainer(model, new TrainOptions { Epochs = 2, BatchSize = 16 }).Fit(TinyVae.Data(32), runFolder: run);
        return run;
    }

    [Fact]
    public void A_finished_run_is_described_by_its_epochs_and_a_missing_folder_is_empty()
    {
        string run = FinishedRun();
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
        Assert.False(RunFolder.IsEmpty(run));
        Assert.Equal("best/ (epoch 2), last/ (epoch 2), metrics.csv (2 epochs), notes.txt", RunFolder.Describe(run));
        Assert.True(RunFolder.IsEmpty(Path.Combine(run, "nowhere")));
        Assert.Equal("nothing", RunFolder.Describe(Path.Combine(run, "nowhere")));
    }

    [Fact]
    public void Setting_a_run_aside_and_restoring_it_gives_back_every_byte()
    {
        string run = FinishedRun();
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
        var before = Snapshot(run);

        ReplacedRun aside = RunFolder.SetAside(run);
        Assert.Equal(["best", "last", "metrics.csv"], aside.Entries);
        Assert.True(RunFolder.IsEmpty(Path.Combine(run, "best")));
        Assert.True(File.Exists(Path.Combine(run, "notes.txt")));   // not a run entry: it stays
        Directory.CreateDirectory(Path.Combine(run, "best"));      // what a failing new run may have begun
        aside.Restore();

        Assert.Equal(before, Snapshot(run));
        Assert.False(Directory.Exists(aside.Location));
    }

    [Fact]
    public void A_discarded_run_is_gone_and_other_files_stay()
    {
        string run = FinishedRun();
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
        ReplacedRun aside = RunFolder.SetAside(run);
        aside.Discard();
        aside.Restore();   // settled: no effect
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(run).Select(Path.GetFileName));
    }

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                 .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
