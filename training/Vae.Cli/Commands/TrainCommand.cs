using System.CommandLine;
using TorchSharp;
using Vae.Inference;
using Vae.Training;
using Vae.Training.Data;
using Vae.Training.Missing;
using Vae.Training.Models;
using Vae.Training.Training;
using static Vae.Cli.Commands.ModelOptions;

namespace Vae.Cli.Commands;

/// <summary><c>vae train</c>: trains a VAE and writes a run folder (best/, last/, metrics.csv).</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new DataOptionsSet();
        var model = new ModelOptions();
        var output = new Option<string>("--out") { Description = "Run folder: best/ and last/ checkpoints, metrics.csv", DefaultValueFactory = _ => "runs/mnist" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last/ checkpoint (model, optimiser, schedule, RNG); only --epochs and --max-minutes may change" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start a new run in a non-empty --out, replacing the run it holds (best/, last/, metrics.csv; other files stay); without it (or --resume) such a folder is refused" };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per batch", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Base learning rate", DefaultValueFactory = _ => 1e-3 };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or adamw", DefaultValueFactory = _ => "adam" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay", DefaultValueFactory = _ => 0 };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant, step or cosine", DefaultValueFactory = _ => "constant" };
        var stepEpochs = new Option<int>("--step-epochs") { Description = "Step schedule: epochs between decays", DefaultValueFactory = _ => 10 };
        var stepGamma = new Option<double>("--step-gamma") { Description = "Step schedule: decay factor", DefaultValueFactory = _ => 0.5 };
        var minLr = new Option<double>("--min-lr") { Description = "Cosine schedule: final learning rate", DefaultValueFactory = _ => 0 };
        var clip = new Option<double>("--clip-norm") { Description = "Clip the gradient norm to this (0: off)", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "Seed for weights, split, shuffling, binarisation and sampling", DefaultValueFactory = _ => 1 };
        var beta = new Option<double>("--beta") { Description = "Weight of the KL term (β-VAE)", DefaultValueFactory = _ => 1.0 };
        var warmup = new Option<int>("--warmup") { Description = "Linear KL warm-up over this many epochs (0: off)", DefaultValueFactory = _ => 0 };
        var warmupStagger = new Option<int>("--warmup-stagger") { Description = "Hierarchical: each stochastic layer warms up this many epochs longer than the one below it", DefaultValueFactory = _ => 0 };
        var freeBits = new Option<double>("--free-bits") { Description = "Free bits: each stochastic layer's KL counts as at least this many nats per latent unit (batch mean; ELBO training only; 0: off)", DefaultValueFactory = _ => 0 };
        var samples = new Option<int>("--samples") { Description = "Importance samples k: 1 trains the ELBO, k > 1 the IWAE bound", DefaultValueFactory = _ => 1 };
        var valSize = new Option<int>("--val-size") { Description = "Training samples held out for validation (0: none; best/ is then the last epoch)", DefaultValueFactory = _ => 0 };
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without a better validation -ELBO (0: off; needs --val-size)", DefaultValueFactory = _ => 0 };
        var normalize = new Option<string?>("--normalize") { Description = "Normalise each input value with statistics of the training data: standard ((x - mean) / std) or minmax ((x - min) / (max - min)); recorded with the model and applied by every command that reads data for it (default: divide by --scale)" };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "Stop after the epoch that passes this many minutes of training (0: no limit)", DefaultValueFactory = _ => 0 };
        var outputBias = new Option<string>("--output-bias") { Description = "How the decoder's output bias starts: data-mean (the training data's mean, log-odds for Bernoulli) or uniform (as built, PyTorch's default init)", DefaultValueFactory = _ => "data-mean" };
        var denoise = new Option<string?>("--denoise") { Description = "Denoising training: corrupt each batch's input (fresh noise every batch) and score the reconstruction against the clean input: gaussian:σ, masking:p or salt-pepper:p" };
        var missing = new Option<string?>("--missing") { Description = "Incomplete data: allow (empty or NaN CSV cells are missing values: the encoder reads them as 0, the objective leaves them out), or also hide values from the encoder every batch to train for imputation: random:P or bottom-half (hidden values are still scored)" };
        var missingMask = new Option<string?>("--missing-mask") { Description = "With --missing: a file of 0/1 flags beside the training data (CSV or idx, one row per sample, one flag per value; 0 = missing), for data that cannot hold gaps itself such as images" };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "Also write each epoch's figures as a TensorBoard event file into this folder (view: tensorboard --logdir DIR)" };

        var command = new Command("train", "Train a VAE (MLP, convolutional or hierarchical; optionally conditional) and write a run folder: best/ and last/ checkpoints, metrics.csv.");
        foreach (Option o in data.All.Append(normalize).Concat(model.All)) command.Options.Add(o);
        foreach (Option o in new Option[] { output, resume, overwrite, device, epochs, batchSize, lr, optimizer, weightDecay, schedule, stepEpochs, stepGamma, minLr, clip, seed, beta, warmup, warmupStagger, freeBits, samples, valSize, patience, maxMinutes, outputBias, denoise, missing, missingMask, tensorboard })
            command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string runFolder = parse.GetValue(output)!;
            OutputPath.CheckFolder(runFolder, "--out");
            CheckRunFolder(runFolder, parse.GetValue(resume), parse.GetValue(overwrite));
            string? board = parse.GetValue(tensorboard);
            if (board is not null) OutputPath.CheckFolder(board, "--tensorboard");
            // a read-only or full disk is found now, not after the first epoch
            OutputPath.CheckWritableFolder(runFolder, "--out");
            if (board is not null) OutputPath.CheckWritableFolder(board, "--tensorboard");
            Preset preset = Preset.Get(parse.GetValue(model.Preset)!);
            TrainOptions p = preset.Options;
            TrainOptions options = new TrainOptions
            {
                Epochs = Pick(parse, epochs, p.Epochs, v => v),
                BatchSize = Pick(parse, batchSize, p.BatchSize, v => v),
                LearningRate = Pick(parse, lr, p.LearningRate, v => v),
                Optimizer = Pick(parse, optimizer, p.Optimizer, s => Enum.Parse<OptimizerKind>(s, ignoreCase: true)),
                WeightDecay = Pick(parse, weightDecay, p.WeightDecay, v => v),
                Schedule = Pick(parse, schedule, p.Schedule, s => Enum.Parse<LrSchedule>(s, ignoreCase: true)),
                StepEpochs = Pick(parse, stepEpochs, p.StepEpochs, v => v),
                StepGamma = Pick(parse, stepGamma, p.StepGamma, v => v),
                MinLearningRate = Pick(parse, minLr, p.MinLearningRate, v => v),
                ClipNorm = Pick(parse, clip, p.ClipNorm, v => v),
                Seed = Pick(parse, seed, p.Seed, v => v),
                Beta = Pick(parse, beta, p.Beta, v => v),
                WarmupEpochs = Pick(parse, warmup, p.WarmupEpochs, v => v),
                WarmupStagger = Pick(parse, warmupStagger, p.WarmupStagger, v => v),
                FreeBits = Pick(parse, freeBits, p.FreeBits, v => v),
                Samples = Pick(parse, samples, p.Samples, v => v),
                ValidationSize = Pick(parse, valSize, p.ValidationSize, v => v),
                Patience = Pick(parse, patience, p.Patience, v => v),
                MaxMinutes = Pick(parse, maxMinutes, p.MaxMinutes, v => v),
                OutputBias = Pick(parse, outputBias, p.OutputBias, OutputBiasKind),
                Denoise = parse.GetValue(denoise) is { } d ? InputCorruption.Parse(d, denoise.Name) : p.Denoise,
                Missing = parse.GetValue(missing) is { } m ? MissingMask.Parse(m, missing.Name) : p.Missing,
            }.Validate();
            torch.Device dev = Devices.Parse(parse.GetValue(device)!);
            NormalizationKind? normalizeKind = parse.GetValue(normalize) is { } n ? NormalizeKind(n) : null;
            VaeConfig config;
            Dataset train;
            Dataset? test;
            if (parse.GetValue(resume))
            {
                // the run keeps its model and options; silently training with others than the user typed would mislead
                string[] changed = model.All.Concat([batchSize, lr, optimizer, weightDecay, schedule, stepEpochs, stepGamma, minLr, clip, seed, beta, warmup, warmupStagger, freeBits, samples, valSize, patience, outputBias, denoise, missing])
                    .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray();
                if (changed.Length > 0)
                    throw new ArgumentException($"--resume continues the run in {runFolder} with its saved model and options; {string.Join(", ", changed)} cannot change (only --epochs and --max-minutes may).");
                string last = Path.Combine(runFolder, Checkpoint.LastFolder);
                TrainOptions saved = TrainerState.Load(last).Options ?? options;   // first: its error says what --resume needs
                _ = Checkpoint.ReadTrainingJson(last);   // its sample counts are compared later: a damaged file is refused before the data is read
                config = VaeConfig.Load(Path.Combine(last, Checkpoint.ConfigFile));
                options = saved with { Epochs = Pick(parse, epochs, saved.Epochs, v => v), MaxMinutes = Pick(parse, maxMinutes, saved.MaxMinutes, v => v) };
                // the data is read as the run read it: with its recorded normalisation (a --normalize or --scale given now is refused)
                InputNormalization? recorded = Checkpoint.ReadNormalization(last) is { IsFitted: true } fitted ? fitted : null;   // a plain scale is the data's own
                if (recorded is not null && normalizeKind is not null)
                    throw new ArgumentException($"--resume reads the data with the run's recorded normalisation ({recorded.Describe()}); --normalize cannot change it.", normalize.Name);
                (train, test) = data.Load(parse, PictureInputs.AtLeast(parse, data.Limit, 0), normalizeKind, recorded, allowMissing: options.Missing is not null);
            }
            else
            {
                (train, test) = data.Load(parse, PictureInputs.AtLeast(parse, data.Limit, 0), normalizeKind, allowMissing: options.Missing is not null);
                config = model.Build(parse, preset, train);
            }
            if (parse.GetValue(missingMask) is string maskPath)
            {
                if (options.Missing is null) throw new ArgumentException("--missing-mask says which values are missing; train with --missing allow (or random:P, bottom-half) to use it.", missingMask.Name);
                train = MaskFile.Apply(train, maskPath);
            }
            // an old run is replaced once the new one has saved an epoch; until then it waits aside, and comes back on failure
            if (!parse.GetValue(overwrite))
            {
                Run(train, test, config, options, dev, runFolder, parse.GetValue(resume), preset, board, () => { });
                return;
            }
            ReplacedRun replaced = RunFolder.SetAside(runFolder);
            if (replaced.Entries.Count > 0)
                Console.WriteLine($"replacing the run in {runFolder} ({string.Join(", ", replaced.Entries)}): kept in {replaced.Location} until the first epoch is saved");
            try
            {
                Run(train, test, config, options, dev, runFolder, resume: false, preset, board, replaced.Discard);
            }
            catch
            {
                replaced.Restore();
                throw;
            }
        }));
        return command;
    }

    /// <summary>A new run needs an empty (or new) run folder: a finished run is replaced only when asked (<c>--overwrite</c>);
    /// <c>--resume</c> continues the run there. Checked before anything is read or written.</summary>
    private static void CheckRunFolder(string runFolder, bool resume, bool overwrite)
    {
        if (resume && overwrite)
            throw new ArgumentException("--resume continues the run in --out and --overwrite replaces it; give one.", "--overwrite");
        if (resume || overwrite || RunFolder.IsEmpty(runFolder)) return;
        throw new ArgumentException($"--out {runFolder} is not empty: it holds {RunFolder.Describe(runFolder)}. Continue that run with --resume, " +
                                    "replace it with --overwrite, or give another --out.", "--out");
    }

    /// <summary><c>--output-bias</c>: data-mean or uniform.</summary>
    private static OutputBiasInit OutputBiasKind(string text) =>
        text.ToLowerInvariant() switch
        {
            "data-mean" => OutputBiasInit.DataMean,
            "uniform" => OutputBiasInit.Uniform,
            _ => throw new ArgumentException($"--output-bias is '{text}'; expected data-mean or uniform.", "--output-bias"),
        };

    /// <summary><c>--normalize</c>: standard or minmax (a fixed divisor is --scale).</summary>
    private static NormalizationKind NormalizeKind(string text) =>
        text.ToLowerInvariant() switch
        {
            "standard" => NormalizationKind.Standard,
            "minmax" => NormalizationKind.MinMax,
            _ => throw new ArgumentException($"--normalize is '{text}'; expected standard or minmax (to divide every value by one number, use --scale).", "--normalize"),
        };

    /// <param name="saved">Called after every epoch's checkpoints are written.</param>
    private static void Run(Dataset train, Dataset? test, VaeConfig config, TrainOptions options, torch.Device device, string runFolder, bool resume, Preset preset, string? board, Action saved)
    {
        Console.WriteLine($"data: {train.Count} training sample{(train.Count == 1 ? "" : "s")} of shape [{string.Join(", ", train.SampleShape)}]" +
                          (test is null ? ", no test set" : $", {test.Count} test sample{(test.Count == 1 ? "" : "s")}") +
                          (train.Normalization is { } n ? $"; inputs {n.Describe()}" : ""));
        torch.random.manual_seed(options.Seed);
        using VaeModule model = Checkpoint.Create(config);
        Console.WriteLine($"model: {TrainProgress.Describe(config)}; {model.parameters().Sum(t => t.numel()):N0} parameters{(resume ? "" : $" (preset {preset.Name})")}");
        Console.WriteLine($"training: {options.Optimizer} lr {options.LearningRate} ({options.Schedule}), batch {options.BatchSize}, {options.Epochs} epoch{(options.Epochs == 1 ? "" : "s")}, β {options.Beta}" +
                          $"{(options.WarmupEpochs > 0 || options.WarmupStagger > 0 ? $" (warm-up {options.WarmupEpochs} epochs{(options.WarmupStagger > 0 ? $", +{options.WarmupStagger} per layer above the first" : "")})" : "")}" +
                          $"{(options.FreeBits > 0 ? $", free bits {options.FreeBits:G3} nats per unit" : "")}, k {options.Samples}, seed {options.Seed}, {device.type.ToString().ToLowerInvariant()}" +
                          (options.OutputBias == OutputBiasInit.DataMean && !resume ? "; output bias starts at the data mean" : "") +
                          (options.Denoise is { } d ? $"; denoising: the encoder reads {d}-corrupted inputs" : "") +
                          (options.Missing is { } m ? $"; missing values read as 0 and not scored{(m.HidesValues ? $"; values hidden from the encoder by {m} every batch (and scored)" : "")}" : ""));
        using var progress = new TrainProgress(options.Epochs);
        using TensorBoardLog? events = board is null ? null : new TensorBoardLog(board);
        var trainer = new Trainer(model, options, device) { OnBatch = progress.Batch, OnEpoch = m => { saved(); progress.Epoch(m); events?.Write(m); } };
        IReadOnlyList<EpochMetrics> history = progress.Run(() => trainer.Fit(train, test, runFolder, resume));
        Console.WriteLine($"stopped after epoch {history[^1].Epoch}: {Describe(trainer.StopReason)}");
        Console.WriteLine($"run folder: {runFolder} (best/, last/, metrics.csv)");
        if (events is not null) Console.WriteLine($"TensorBoard: {events.FilePath}");
    }

    private static string Describe(TrainingStopReason? reason) => reason switch
    {
        TrainingStopReason.AllEpochsDone => "all epochs done",
        TrainingStopReason.EarlyStopping => "early stopping",
        TrainingStopReason.TimeLimit => "time limit",
        _ => $"{reason}",
    };
}
