using TorchSharp;
using Vae.Training.Losses;
using Vae.Training.Missing;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>
/// One epoch of optimisation over the training set, and the state that carries from epoch to epoch: the optimiser and
/// the generators for shuffling and for ε and binarisation (seeded with <see cref="TrainOptions.Seed"/> and seed + 1).
/// One dispose scope per batch. Owns the optimiser and the generators; the model stays the caller's.
/// </summary>
internal sealed class TrainingPass : IDisposable
{
    private readonly VaeModule model;
    private readonly TrainOptions options;
    private readonly Device device;
    private readonly Action<BatchProgress>? onBatch;
    private readonly Generator shuffle, noise;
    private readonly optim.Optimizer optimizer;

    public TrainingPass(VaeModule model, TrainOptions options, Device device, Action<BatchProgress>? onBatch)
    {
        this.model = model;
        this.options = options;
        this.device = device;
        this.onBatch = onBatch;
        shuffle = new Generator((ulong)options.Seed, device);
        noise = new Generator((ulong)options.Seed + 1, device);
        optimizer = options.Optimizer switch
        {
            OptimizerKind.AdamW => optim.AdamW(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
            _ => optim.Adam(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
        };
    }

    /// <summary>Trains epoch <paramref name="epoch"/> (1-based) at learning rate <paramref name="learningRate"/>.</summary>
    /// <returns>The mean training objective per sample and the epoch's −ELBO, reconstruction and KL.</returns>
    /// <exception cref="TrainingDivergedException">A batch's loss is not finite, or the weights are not after the last step.</exception>
    public (double Loss, SetMetrics Metrics) Run(TensorSet data, int epoch, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        model.train();
        long n = data.Count;
        int batches = (int)((n + options.BatchSize - 1) / options.BatchSize);
        using Tensor order = randperm(n, generator: shuffle, device: device);
        using Tensor reconstructionSum = zeros(1, device: device), klSum = zeros(1, device: device);
        double total = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            long start = (long)b * options.BatchSize;
            Tensor rows = order.narrow(0, start, Math.Min(options.BatchSize, n - start));
            var (x, y) = data.Select(rows);
            if (model.Config.Binarize) x = bernoulli(x, noise);
            // scored: what the data holds (its own missing values are not); seen: what the encoder reads, less any value hidden on purpose
            Tensor? scored = data.Observed?.index_select(0, rows);
            Tensor? seen = options.Missing is { } missing ? BatchMask.Observed(missing, x, scored, noise) : null;
            KlWeights weights = options.KlWeightsAt(epoch - 1 + (double)b / batches, LayerCount);
            var (loss, reconstruction, kl) = Objective(x, y, seen, scored, weights);
            double value = loss.item<float>();
            if (!double.IsFinite(value)) throw new TrainingDivergedException(epoch, DivergenceKind.BatchLoss, value, b + 1);
            optimizer.zero_grad();
            loss.backward();
            if (options.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), options.ClipNorm);
            optimizer.step();
            using (no_grad())
            {
                reconstructionSum.add_(reconstruction.sum());
                klSum.add_(kl.sum());
            }
            total += value;
            onBatch?.Invoke(new BatchProgress(epoch, b + 1, batches, total / Math.Min(n, start + x.shape[0])));
        }
        // each batch's loss was finite, but the last step can still leave non-finite weights: they must never be checkpointed
        if (!WeightsFinite()) throw new TrainingDivergedException(epoch, DivergenceKind.Weights, double.NaN);
        double r = reconstructionSum.item<float>() / n, k = klSum.item<float>() / n;
        return (total / n, new SetMetrics(r + k, r, k));
    }

    /// <summary>The generators' states, for <see cref="TrainerState"/>.</summary>
    public (string Shuffle, string Noise) CaptureGenerators() => (TrainerState.Capture(shuffle), TrainerState.Capture(noise));

    /// <summary>Sets the generators back to states from <see cref="CaptureGenerators"/>.</summary>
    /// <exception cref="FormatException">A state is not base64.</exception>
    /// <exception cref="ArgumentException">A state is not a generator's.</exception>
    public void RestoreGenerators(string shuffleState, string noiseState)
    {
        TrainerState.Restore(shuffle, shuffleState);
        TrainerState.Restore(noise, noiseState);
    }

    /// <summary>Writes the optimiser state (TorchSharp's format) to <paramref name="path"/>.</summary>
    public void SaveOptimizer(string path) => ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(path);

    /// <summary>Reads the optimiser state from <paramref name="path"/>.</summary>
    public void LoadOptimizer(string path) => ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(path);

    /// <summary>Summed batch objective and the per-sample reconstruction and KL (detached). The encoder reads
    /// <see cref="EncoderInput"/> (the values <paramref name="seen"/>); the reconstruction is scored against the clean x, on the
    /// values the data holds (<paramref name="scored"/>) when it has missing ones. A value hidden on purpose is thus scored
    /// but not seen — what trains the model to fill it in; the bound stays an ELBO, since any q(z | x̃) is a valid posterior.</summary>
    private (Tensor Loss, Tensor Reconstruction, Tensor Kl) Objective(Tensor x, Tensor? y, Tensor? seen, Tensor? scored, KlWeights weights)
    {
        Tensor input = EncoderInput(x, seen);
        if (options.Samples == 1)
        {
            ElboTerms terms = Bounds.NegElbo(model, input, x, scored, y, weights, noise);
            return (terms.Loss.sum(), terms.Reconstruction.detach(), terms.Kl.detach());
        }
        IwaeTerms iwae = Bounds.Iwae(model, input, x, y, options.Samples, weights, noise);
        return (-iwae.Bound.sum(), iwae.Reconstruction, iwae.Kl);
    }

    /// <summary>What the encoder reads: x with missing and hidden values as 0 (<see cref="TrainOptions.Missing"/>), then corrupted
    /// (<see cref="TrainOptions.Denoise"/>, fresh noise from the generator); x itself when neither is set.</summary>
    private Tensor EncoderInput(Tensor x, Tensor? seen)
    {
        Tensor input = seen is null ? x : x * seen.to_type(x.dtype);
        return options.Denoise is { } corruption ? corruption.Apply(input, noise, model.Config.Likelihood == Likelihood.Bernoulli) : input;
    }

    /// <summary>Stochastic layers of the model, each with its own KL warm-up.</summary>
    private int LayerCount => (model as HierarchicalVae)?.Layers ?? 1;

    private bool WeightsFinite()
    {
        using var _ = no_grad();
        foreach (var p in model.parameters())
        {
            using Tensor finite = isfinite(p).all();
            if (!finite.item<bool>()) return false;
        }
        return true;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        noise.Dispose();
        shuffle.Dispose();
    }
}
