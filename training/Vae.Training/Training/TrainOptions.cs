using System.Text.Json.Serialization;
using Vae.Training.Missing;

namespace Vae.Training.Training;

/// <summary>Optimiser family.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma &amp; Ba, 2015); weight decay added to the gradient.</summary>
    Adam,
    /// <summary>AdamW (Loshchilov &amp; Hutter, 2019): decoupled weight decay.</summary>
    AdamW,
}

/// <summary>Learning-rate schedule over epochs.</summary>
public enum LrSchedule
{
    /// <summary>The base rate throughout.</summary>
    Constant,
    /// <summary>Multiplied by <see cref="TrainOptions.StepGamma"/> every <see cref="TrainOptions.StepEpochs"/> epochs.</summary>
    Step,
    /// <summary>Cosine annealing from the base rate to <see cref="TrainOptions.MinLearningRate"/> over all epochs.</summary>
    Cosine,
}

/// <summary>Optimisation settings; saved in <c>training.json</c> beside every checkpoint.
/// Defaults are those of the PyTorch VAE example (Adam 1e-3, batch 128, 10 epochs, plain ELBO).</summary>
public sealed record TrainOptions
{
    /// <summary>Passes over the training set (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per batch (default 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Base learning rate (default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam or AdamW (default Adam).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Weight decay (default 0).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Learning-rate schedule (default constant).</summary>
    public LrSchedule Schedule { get; init; } = LrSchedule.Constant;

    /// <summary>Step schedule: epochs between decays (default 10).</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>Step schedule: decay factor (default 0.5).</summary>
    public double StepGamma { get; init; } = 0.5;

    /// <summary>Cosine schedule: the rate reached after the last epoch (default 0).</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Clip the global gradient norm to this value; 0 disables clipping (default 0).</summary>
    public double ClipNorm { get; init; }

    /// <summary>Seed for weights, shuffling, binarisation and sampling (default 1). Same seed on CPU → same weights.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Weight of the KL term (default 1: the plain ELBO; β-VAE for β ≠ 1).</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>Linear KL warm-up: β rises from 0 to <see cref="Beta"/> over this many epochs, per batch (default 0: off).</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Hierarchical models: layer l (1 = next to the data) warms up over <see cref="WarmupEpochs"/> + (l − 1) × this
    /// many epochs, so the layers above stay free of the KL's pull longer (default 0: all layers together).</summary>
    public int WarmupStagger { get; init; }

    /// <summary>Free bits λ (Kingma et al., 2016): each stochastic layer's KL counts as at least λ nats per latent unit of its
    /// batch mean, so a layer below that is not pushed onto the prior; ELBO training only (default 0: off).</summary>
    public double FreeBits { get; init; }

    /// <summary>Importance samples per input: 1 trains the ELBO, k &gt; 1 the IWAE bound (default 1).</summary>
    public int Samples { get; init; } = 1;

    /// <summary>Training samples held out for validation, taken at random with the seed (default 0: none).</summary>
    public int ValidationSize { get; init; }

    /// <summary>Stop after this many epochs without a better validation −ELBO; 0 disables early stopping (default 0).
    /// Needs a validation set (<see cref="ValidationSize"/> &gt; 0); <see cref="Validate"/> refuses it without one.</summary>
    public int Patience { get; init; }

    /// <summary>Time budget in minutes: training stops after the epoch when another epoch as long would overrun it; 0: no limit (default 0).
    /// The cosine schedule then anneals over the time budget too (see <see cref="LearningRateAt"/>), so such a run
    /// depends on the machine's speed.</summary>
    public double MaxMinutes { get; init; }

    /// <summary>How the decoder's output bias starts a new run (default <see cref="OutputBiasInit.Uniform"/>: as built, so
    /// <see cref="Trainer.Fit"/> changes no weight before training). <see cref="OutputBiasInit.DataMean"/> starts it at
    /// the training data's mean (the <c>pytorch-example</c> preset does); a resumed run keeps its weights.</summary>
    public OutputBiasInit OutputBias { get; init; } = OutputBiasInit.Uniform;

    /// <summary>Denoising training: the encoder reads the batch corrupted as this says (fresh noise every batch, from the seed) and
    /// the reconstruction is scored against the clean batch (default null: off; <c>--denoise</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InputCorruption? Denoise { get; init; }

    /// <summary>Training on incomplete data (default null: every value must be present; <c>--missing</c>). Missing values (NaN)
    /// are allowed: the encoder reads them as 0 and the objective scores the values the data holds only
    /// (<see cref="Losses.MaskedElbo"/>). <see cref="MaskKind.BottomHalf"/> or <see cref="MaskKind.Random"/> also hide values
    /// from the encoder on purpose, afresh every batch, and still score them: the model learns to fill in such gaps.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MissingMask? Missing { get; init; }

    /// <summary>Checks ranges (every number finite); throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public TrainOptions Validate()
    {
        static void Require(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentException($"{nameof(TrainOptions)}.{name} is {value}; expected {expected}.", name);
        }
        Require(Epochs > 0, nameof(Epochs), Epochs, "at least 1");
        Require(BatchSize > 0, nameof(BatchSize), BatchSize, "at least 1");
        // libtorch applies the rate to float32 weights: beyond float32's range it fails inside the optimiser step
        Require(LearningRate > 0 && LearningRate <= float.MaxValue, nameof(LearningRate), LearningRate, "> 0 and within float32's range");
        // Every field is saved in training.json, which cannot hold an infinity: refuse them here, not after the first epoch.
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a finite number ≥ 0");
        Require(StepEpochs > 0, nameof(StepEpochs), StepEpochs, "at least 1");
        Require(StepGamma > 0 && StepGamma <= 1, nameof(StepGamma), StepGamma, "in (0, 1]");
        Require(MinLearningRate >= 0 && MinLearningRate <= LearningRate, nameof(MinLearningRate), MinLearningRate, $"in [0, {LearningRate}]");
        Require(ClipNorm >= 0 && double.IsFinite(ClipNorm), nameof(ClipNorm), ClipNorm, "a finite number ≥ 0 (0: no clipping)");
        Require(Beta >= 0 && double.IsFinite(Beta), nameof(Beta), Beta, "≥ 0");
        Require(WarmupEpochs >= 0, nameof(WarmupEpochs), WarmupEpochs, "≥ 0");
        Require(Samples >= 1, nameof(Samples), Samples, "at least 1");
        Require(WarmupStagger >= 0, nameof(WarmupStagger), WarmupStagger, "≥ 0");
        Require(FreeBits >= 0 && double.IsFinite(FreeBits), nameof(FreeBits), FreeBits, "a finite number ≥ 0 (0: off)");
        // the importance-weighted bound has no KL term of its own to hold up
        Require(FreeBits == 0 || Samples == 1, nameof(FreeBits), FreeBits, $"0 when {nameof(TrainOptions)}.{nameof(Samples)} is {Samples} (free bits apply to the ELBO's KL; the IWAE bound has none)");
        Require(ValidationSize >= 0, nameof(ValidationSize), ValidationSize, "≥ 0");
        Require(Patience >= 0, nameof(Patience), Patience, "≥ 0 (0: no early stopping)");
        // Early stopping watches the validation −ELBO; without a validation set every epoch would count as better.
        Require(Patience == 0 || ValidationSize > 0, nameof(Patience), Patience,
                $"0 when {nameof(TrainOptions)}.{nameof(ValidationSize)} is 0 (early stopping needs held-out samples: set {nameof(TrainOptions)}.{nameof(ValidationSize)})");
        Require(Enum.IsDefined(OutputBias), nameof(OutputBias), OutputBias, $"one of {string.Join(", ", Enum.GetNames<OutputBiasInit>())}");
        Require(MaxMinutes >= 0 && double.IsFinite(MaxMinutes), nameof(MaxMinutes), MaxMinutes, "a finite number ≥ 0 (0: no limit)");
        Denoise?.Validate();
        if (Missing is { } missing)
        {
            Require(Enum.IsDefined(missing.Kind), nameof(Missing), missing, "from-data, bottom-half or random:P");
            Require(missing.Kind != MaskKind.Random || missing.Probability is > 0 and < 1, nameof(Missing), missing, "random:P with 0 < P < 1");
            // the IWAE bound's likelihood is not masked
            Require(Samples == 1, nameof(Samples), Samples, $"1 when {nameof(TrainOptions)}.{nameof(Missing)} is set (the importance-weighted bound is not masked)");
        }
        return this;
    }

    /// <summary>
    /// The learning rate for <paramref name="epoch"/> (1-based) under <see cref="Schedule"/>. With a time limit,
    /// the cosine schedule anneals over whichever runs out first, the epochs or the minutes
    /// (<paramref name="secondsSoFar"/> of training done): a time-budgeted run ends near the minimum rate.
    /// </summary>
    public double LearningRateAt(int epoch, double secondsSoFar = 0)
    {
        double progress = (epoch - 1.0) / Epochs;
        if (MaxMinutes > 0) progress = Math.Max(progress, Math.Min(1.0, secondsSoFar / (MaxMinutes * 60)));
        return Schedule switch
        {
            LrSchedule.Step => LearningRate * Math.Pow(StepGamma, (epoch - 1) / StepEpochs),
            LrSchedule.Cosine => MinLearningRate + 0.5 * (LearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * progress)),
            _ => LearningRate,
        };
    }

    /// <summary>The KL weight after <paramref name="progress"/> epochs (fractional, 0-based) of linear warm-up.</summary>
    public double BetaAt(double progress) => BetaAt(progress, WarmupEpochs);

    /// <summary>The KL weights of <paramref name="layers"/> stochastic layers after <paramref name="progress"/> epochs: layer l
    /// warms up over <see cref="WarmupEpochs"/> + (l − 1) × <see cref="WarmupStagger"/> epochs; with <see cref="FreeBits"/>.</summary>
    public Losses.KlWeights KlWeightsAt(double progress, int layers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        return new(Enumerable.Range(0, layers).Select(l => BetaAt(progress, WarmupEpochs + l * WarmupStagger)).ToArray(), FreeBits);
    }

    private double BetaAt(double progress, int warmupEpochs) =>
        warmupEpochs == 0 ? Beta : Beta * Math.Min(1.0, progress / warmupEpochs);
}
