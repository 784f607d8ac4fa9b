using System.Diagnostics;
using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>
/// Trains a <see cref="VaeModule"/> with Adam on an in-memory data set, one dispose scope per batch,
/// and evaluates the test-set negative ELBO after every epoch.
/// </summary>
public sealed class Trainer
{
    private readonly VaeModule model;
    private readonly TrainOptions options;

    public Trainer(VaeModule model, TrainOptions options)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
    }

    /// <summary>Runs all epochs; <paramref name="onEpoch"/> is called after each one.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public IReadOnlyList<EpochReport> Fit(Dataset train, Dataset test, Action<EpochReport>? onEpoch = null)
    {
        CheckShape(train, nameof(train));
        CheckShape(test, nameof(test));
        using Tensor trainX = ToTensor(train);
        using Tensor testX = ToTensor(test);
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        using var shuffle = new Generator((ulong)options.Seed);
        using var noise = new Generator((ulong)options.Seed + 1);
        var reports = new List<EpochReport>();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double trainLoss = TrainEpoch(trainX, optimizer, shuffle, noise, epoch);
            var (negElbo, reconstruction, kl) = Evaluate(model, testX, options.BatchSize * 8, options.Seed);
            var report = new EpochReport(epoch, trainLoss, negElbo, reconstruction, kl, clock.Elapsed.TotalSeconds);
            reports.Add(report);
            onEpoch?.Invoke(report);
        }
        return reports;
    }

    private double TrainEpoch(Tensor trainX, optim.Optimizer optimizer, Generator shuffle, Generator noise, int epoch)
    {
        model.train();
        long n = trainX.shape[0];
        using Tensor order = randperm(n, generator: shuffle);
        double total = 0;
        int batchIndex = 0;
        for (long start = 0; start < n; start += options.BatchSize, batchIndex++)
        {
            using var scope = NewDisposeScope();
            Tensor x = trainX.index_select(0, order.narrow(0, start, Math.Min(options.BatchSize, n - start)));
            VaeOutput output = model.Forward(x, generator: noise);
            ElboTerms terms = Elbo.Compute(model.Config, output, x, options.Beta);
            Tensor loss = terms.Loss.sum();
            double value = loss.item<float>();
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(epoch, batchIndex, value);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += value;
        }
        return total / n;
    }

    /// <summary>
    /// Negative ELBO (β = 1) averaged over <paramref name="x"/>, with one z sample per input drawn from a
    /// generator seeded with <paramref name="seed"/>, so repeated evaluations agree.
    /// </summary>
    public static (double NegElbo, double Reconstruction, double Kl) Evaluate(VaeModule model, Tensor x, int batchSize, long seed)
    {
        model.eval();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        double loss = 0, reconstruction = 0, kl = 0;
        long n = x.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            Tensor batch = x.narrow(0, start, Math.Min(batchSize, n - start));
            ElboTerms terms = Elbo.Compute(model.Config, model.Forward(batch, generator: generator), batch);
            loss += terms.Loss.sum().item<float>();
            reconstruction += terms.Reconstruction.sum().item<float>();
            kl += terms.Kl.sum().item<float>();
        }
        return (loss / n, reconstruction / n, kl / n);
    }

    /// <summary>A data set as one float tensor of shape [N, ...SampleShape].</summary>
    public static Tensor ToTensor(Dataset data) =>
        tensor(data.Features, [data.Count, .. data.SampleShape.Select(d => (long)d)]);

    private void CheckShape(Dataset data, string name)
    {
        if (data.Count == 0) throw new ArgumentException($"{name} has no samples.", name);
        if (!data.SampleShape.SequenceEqual(model.Config.InputShape))
            throw new ArgumentException($"{name} samples have shape [{string.Join(", ", data.SampleShape)}]; the model expects [{string.Join(", ", model.Config.InputShape)}].", name);
    }
}

/// <summary>Training stopped because the loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, double loss)
    : Exception($"training diverged: loss is {loss} at epoch {epoch}, batch {batch}. Lower the learning rate or clip gradients; the last saved checkpoint is intact.")
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
}
