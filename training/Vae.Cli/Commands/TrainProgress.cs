using System.Globalization;
using Spectre.Console;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary>Training output: a live bar per epoch (rate, ETA, running loss) when stdout is a terminal,
/// one plain line per epoch otherwise.</summary>
internal sealed class TrainProgress(int epochs) : IDisposable
{
    private readonly bool live = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private ProgressContext? context;
    private ProgressTask? task;

    /// <summary>Runs <paramref name="body"/> inside the live display (or directly when output is redirected).</summary>
    public T Run<T>(Func<T> body)
    {
        if (!live) return body();
        return AnsiConsole.Progress().AutoClear(false).HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new BatchRateColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                context = ctx;
                return body();
            });
    }

    public void Batch(BatchProgress p)
    {
        if (context is null) return;
        if (task is null || p.Batch == 1)
        {
            task?.StopTask();
            task = context.AddTask($"epoch {p.Epoch}/{epochs}", maxValue: p.Batches);
        }
        task.Value = p.Batch;
        if (p.Batch % 10 == 0 || p.Batch == p.Batches)
            task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{epochs}  loss {p.RunningLoss:F2}");
    }

    public void Epoch(EpochMetrics m)
    {
        task?.StopTask();
        task = null;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch,3}  train -ELBO {m.Train.NegElbo,8:F2}{Set("val", m.Validation)}{Set("test", m.Test)}  (recon {(m.Validation ?? m.Test ?? m.Train).Reconstruction:F2}, KL {(m.Validation ?? m.Test ?? m.Train).Kl:F2})  " +
            $"{(m.ActiveUnits >= 0 ? $"AU {m.ActiveUnits}  " : "")}lr {m.LearningRate:G3}  β {m.Beta:G3}  {m.Seconds:F1}s");
        if (live) AnsiConsole.WriteLine(line);
        else Console.WriteLine(line);
    }

    /// <summary>One-line description of a config.</summary>
    public static string Describe(VaeConfig c)
    {
        string body = c.Architecture == Architecture.Hierarchical
            ? $"hierarchical {c.InputSize}-{c.HierarchyOrDefault.Format().Replace(":", "-(").Replace("/", ")-")}) ({c.HierarchyOrDefault.Layers.Length} stochastic layers, " +
              (c.HierarchyOrDefault.Prior == PriorKind.Vamp ? $"VampPrior of {c.HierarchyOrDefault.PseudoInputs} pseudo-inputs)" : "standard normal prior)")
            : c.Architecture == Architecture.Conv
            ? $"conv [{string.Join(", ", c.InputShape)}] channels {string.Join(",", c.ConvOrDefault.Channels)} strides {string.Join(",", c.ConvOrDefault.Strides)}{(c.ConvOrDefault.BatchNorm ? " +BN" : "")} → {c.LatentSize}"
            : $"mlp {c.InputSize}-{string.Join("-", c.HiddenSizes)}-{c.LatentSize}";
        string likelihood = c.Likelihood == Likelihood.Bernoulli
            ? c.Binarize ? "bernoulli (dynamic binarisation)" : "bernoulli"
            : c.LearnVariance ? "gaussian (learned per-pixel variance)" : string.Create(CultureInfo.InvariantCulture, $"gaussian (σ {c.GaussianSigma})");
        return $"{body}, {c.Activation}, {likelihood}{(c.Classes > 0 ? $", conditional on {c.Classes} classes ({(c.HasClassPrior ? "learned class prior, class-specific first decoder layer" : "label concatenated")})" : "")}" +
               (c.Objective == Objective.Autoencoder ? ", deterministic autoencoder (no sampling, no KL)" : "");
    }

    private static string Set(string name, SetMetrics? m) =>
        m is null ? "" : string.Create(CultureInfo.InvariantCulture, $"  {name} -ELBO {m.NegElbo,8:F2}");

    public void Dispose() => task?.StopTask();

    /// <summary>Batches per second.</summary>
    private sealed class BatchRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:F1} batch/s") : "");
    }
}
