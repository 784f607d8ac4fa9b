using Vae.Training.Data;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>What the held-out sets say after an epoch.</summary>
/// <param name="ActiveUnits">Counted on the validation set, else the test set; −1 without either.</param>
internal readonly record struct HeldOutMetrics(SetMetrics? Validation, SetMetrics? Test, int ActiveUnits);

/// <summary>
/// Evaluates the model after each epoch on the validation part and the test set, as tensors made once (binarised once
/// with the seed when the model trains on binarised pixels, so every epoch sees the same inputs). Owns those tensors.
/// </summary>
internal sealed class EpochEvaluation : IDisposable
{
    private readonly VaeModule model;
    private readonly long seed;
    private readonly int batchSize;
    private readonly TensorSet? validation, test;

    /// <exception cref="ArgumentException">A set does not fit the model (see <see cref="TensorSet.From"/>).</exception>
    public EpochEvaluation(VaeModule model, TrainOptions options, Dataset? validation, Dataset? test, Device device)
    {
        this.model = model;
        seed = options.Seed;
        batchSize = Math.Max(options.BatchSize, 1000);
        this.validation = validation is null ? null : Evaluable(TensorSet.From(validation, model, "validation data", device));
        try
        {
            this.test = test is null ? null : Evaluable(TensorSet.From(test, model, "test data", device));
        }
        catch
        {
            this.validation?.Dispose();
            throw;
        }
    }

    /// <summary>−ELBO of each set (one z per input from a generator seeded with the seed) and the active units.</summary>
    /// <exception cref="TrainingDivergedException">The validation −ELBO is not finite.</exception>
    public HeldOutMetrics Run(int epoch)
    {
        SetMetrics? validationMetrics = validation is null ? null : Evaluation.NegElbo(model, validation, batchSize, seed);
        SetMetrics? testMetrics = test is null ? null : Evaluation.NegElbo(model, test, batchSize, seed);
        TensorSet? unitsSet = validation ?? test;
        int activeUnits = unitsSet is null ? -1 : Evaluation.ActiveUnits(model, unitsSet, batchSize);
        if (validationMetrics is { } v && !double.IsFinite(v.NegElbo))
            throw new TrainingDivergedException(epoch, DivergenceKind.Validation, v.NegElbo);
        return new HeldOutMetrics(validationMetrics, testMetrics, activeUnits);
    }

    /// <summary>The set as evaluated: binarised once with the seed when the model trains on binarised pixels.</summary>
    private TensorSet Evaluable(TensorSet set)
    {
        if (!model.Config.Binarize) return set;
        using (set) return set.Binarized(seed);
    }

    public void Dispose()
    {
        test?.Dispose();
        validation?.Dispose();
    }
}
