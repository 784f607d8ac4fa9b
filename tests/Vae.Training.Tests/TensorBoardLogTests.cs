using System.Text;
using TorchSharp;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>TensorBoard event files read back with <see cref="TfEvents"/> (its own CRC and proto decoding) and compared with the trainer's figures.</summary>
public class TensorBoardLogTests
{
    private static double Now => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds;

    [Fact]
    public void The_readers_crc32c_gives_the_castagnoli_check_value()
    {
        // RFC 3720, B.4: CRC-32C of "123456789" is 0xE3069283; 32 zero bytes give 0x8A9136AA
        Assert.Equal(0xE3069283u, TfEvents.Crc32C(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0x8A9136AAu, TfEvents.Crc32C(new byte[32]));
    }

    [Fact]
    public void The_reader_reads_the_files_of_torchsharps_summary_writer()
    {
        // a second writer for the reader: its records, CRCs and Event fields are TensorBoard's format, not only ours
        string folder = RepoPaths.NewTempFolder();
        torch.utils.tensorboard.SummaryWriter(folder).add_scalar("train/kl", 1.5f, 3);

        var events = TfEvents.Read(Assert.Single(Directory.GetFiles(folder)));
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(3, events[1].Step);
        Assert.Equal([("train/kl", 1.5f)], events[1].Scalars);
    }

    [Fact]
    public void Each_epoch_is_one_event_of_step_epoch_holding_the_figures_the_trainer_returned()
    {
        var options = new TrainOptions { Epochs = 3, BatchSize = 16, Seed = 2, ValidationSize = 16, Schedule = LrSchedule.Cosine, WarmupEpochs = 2 };
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "board");   // created by the log
        torch.random.manual_seed(2);
        using var model = new MlpVae(TinyVae.Config);
        double start = Now;
        var eventsAfterEpoch = new List<int>();
        IReadOnlyList<EpochMetrics> history;
        string file;
        using (var log = new TensorBoardLog(folder))
        {
            file = log.FilePath;
            var trainer = new Trainer(model, options)
            {
                OnEpoch = m => { log.Write(m); eventsAfterEpoch.Add(TfEvents.Read(log.FilePath).Count); },
            };
            history = trainer.Fit(TinyVae.Data(96), TinyVae.Data(32));
        }
        double end = Now;

        Assert.Equal([file], Directory.GetFiles(folder));
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(file));
        Assert.Equal([2, 3, 4], eventsAfterEpoch);   // flushed as written: a running TensorBoard sees every epoch at once
        var events = TfEvents.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Scalars);
        Assert.Equal([1L, 2, 3], events.Skip(1).Select(e => e.Step));
        Assert.All(events, e => Assert.InRange(e.WallTime, start - 1e-3, end + 1e-3));   // seconds since 1970
        Assert.Equal(events.Select(e => e.WallTime).Order(), events.Select(e => e.WallTime));
        Assert.Equal(3, history.Count);
        Assert.True(history[0].Beta != history[2].Beta && history[0].LearningRate != history[2].LearningRate, "β and lr should differ per epoch");
        foreach (var (e, m) in events.Skip(1).Zip(history))
        {
            Assert.Null(e.FileVersion);
            Assert.Equal(TfEvents.Expected(m), e.Scalars);
        }
    }

    [Fact]
    public void Sets_and_active_units_a_run_does_not_have_are_left_out()
    {
        var m = new EpochMetrics(7, 101.5, new SetMetrics(100.25, 90.125, 10.125), null, null, -1, 1e-3, 0.5, 2.75);
        string folder = RepoPaths.NewTempFolder();
        var log = new TensorBoardLog(folder);
        log.Write(m);
        log.Dispose();
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => log.Write(m));
        var e = TfEvents.Read(log.FilePath)[1];
        Assert.Equal(7, e.Step);
        Assert.Equal([("train/loss", 101.5f), ("train/neg_elbo", 100.25f), ("train/reconstruction", 90.125f), ("train/kl", 10.125f),
                      ("lr", 1e-3f), ("beta", 0.5f), ("seconds", 2.75f)], e.Scalars);
        Assert.Equal(TensorBoardLog.Scalars(m).Select(s => (s.Tag, (float)s.Value)), e.Scalars);
    }

    [Fact]
    public void A_second_log_in_the_same_folder_writes_a_new_file_that_sorts_after_the_first()
    {
        string folder = RepoPaths.NewTempFolder();
        string first, second;
        using (var a = new TensorBoardLog(folder)) first = a.FilePath;
        using (var b = new TensorBoardLog(folder)) second = b.FilePath;

        Assert.Equal([first, second], Directory.GetFiles(folder).Order(StringComparer.Ordinal));
        Assert.Single(TfEvents.Read(first));
    }

    [Fact]
    public void A_folder_that_is_a_file_is_refused()
    {
        string file = Path.Combine(RepoPaths.NewTempFolder(), "taken");
        File.WriteAllText(file, "keep me");

        var e = Assert.Throws<ArgumentException>(() => new TensorBoardLog(file));
        Assert.Contains($"TensorBoard folder {file} is a file; expected a folder", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TensorBoardLog(Path.Combine(file, "board")));
        Assert.Contains($"{file} is a file, not a folder", e.Message);
        Assert.Equal("keep me", File.ReadAllText(file));
    }
}
