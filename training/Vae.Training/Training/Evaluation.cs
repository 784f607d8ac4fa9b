using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>A data set as tensors: x [N, ...SampleShape], for conditional models one-hot y [N, Classes], and for data with
/// missing values the observed flags. Owns the tensors.</summary>
public sealed class TensorSet : IDisposable
{
    public TensorSet(Tensor x, Tensor? y, Tensor? observed = null)
    {
        X = x;
        Y = y;
        Observed = observed;
    }

    /// <summary>Inputs [N, ...SampleShape]; a missing value holds 0, what the encoder sees in its place.</summary>
    public Tensor X { get; }

    /// <summary>True where a value of <see cref="X"/> is observed (bool, X's shape); null when every value is.</summary>
    public Tensor? Observed { get; }

    /// <summary>One-hot labels [N, Classes], or null for unconditional models.</summary>
    public Tensor? Y { get; }

    /// <summary>Number of samples.</summary>
    public long Count => X.shape[0];

    /// <summary>The tensors of <paramref name="data"/> for <paramref name="model"/> (labels only when the model is conditional).</summary>
    /// <param name="allowMissing">NaN values are missing (training with <see cref="TrainOptions.Missing"/>): they become 0 in
    /// <see cref="X"/> and false in <see cref="Observed"/>. Without it a NaN is refused.</param>
    /// <exception cref="ArgumentException">Samples of another size than the model's input, a conditional model gets unlabelled data,
    /// or a value is missing (NaN) and <paramref name="allowMissing"/> is false.</exception>
    public static TensorSet From(Dataset data, VaeModule model, string name, Device? device = null, bool allowMissing = false)
    {
        VaeConfig config = model.Config;
        if (data.Count == 0) throw new ArgumentException($"{name} has no samples.", name);
        int size = config.InputShape.Aggregate(1, (a, b) => a * b);
        if (data.SampleSize != size)
            throw new ArgumentException($"{name} samples have shape [{string.Join(", ", data.SampleShape)}] ({data.SampleSize} values); " +
                                        $"the model expects [{string.Join(", ", config.InputShape)}] ({size} values).", name);
        int firstMissing = Array.FindIndex(data.Features, float.IsNaN);
        if (firstMissing >= 0 && !allowMissing)
            throw new ArgumentException($"{name}: sample {firstMissing / size}, value {firstMissing % size} is missing (NaN); to learn from incomplete data " +
                                        $"train with {nameof(TrainOptions)}.{nameof(TrainOptions.Missing)}.", name);
        if (config.Likelihood == Likelihood.Bernoulli)
        {
            if (firstMissing < 0) data.CheckUnitInterval(name);
            else CheckObservedUnitInterval(data, name);
        }
        // Same size in another shape (a CSV row of 784 values for a 1×28×28 model) is read in the model's shape, row-major, as DataOptions.Shape would.
        Tensor x = Evaluation.ToTensor(data, device, config.InputShape);
        Tensor? observed = null;
        if (firstMissing >= 0)
        {
            observed = x.isnan().logical_not_();
            x.nan_to_num_(0);
        }
        if (config.Classes == 0) return new TensorSet(x, null, observed);
        if (data.Labels is null)
        {
            x.Dispose();
            observed?.Dispose();
            throw new ArgumentException($"{name} has no labels; the conditional model needs a label per sample.", name);
        }
        int max = data.Labels.Length == 0 ? 0 : data.Labels.Max();
        if (data.Labels.Min() < 0 || max >= config.Classes)
        {
            x.Dispose();
            observed?.Dispose();
            throw new ArgumentException($"{name} has labels up to {max}; the model has {config.Classes} classes (0..{config.Classes - 1}).", name);
        }
        using Tensor labels = tensor(data.Labels.Select(l => (long)l).ToArray(), device: device);
        return new TensorSet(x, LayeredVae.OneHot(labels, config.Classes), observed);
    }

    /// <summary><see cref="Dataset.CheckUnitInterval"/> for data with missing values: every observed value in [0, 1].</summary>
    private static void CheckObservedUnitInterval(Dataset data, string name)
    {
        float[] values = data.Features;
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]) || values[i] is >= 0 and <= 1) continue;
            throw new ArgumentException($"{name}: sample {i / data.SampleSize}, value {i % data.SampleSize} is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                                        "a Bernoulli likelihood needs values in [0, 1] (divide the data by its maximum with DataOptions.Scale, or use a Gaussian likelihood).", name);
        }
    }

    /// <summary>A new set with x binarised once (seeded, see <see cref="Evaluation.Binarize"/>) and copies of y and the observed flags; the caller disposes it.</summary>
    public TensorSet Binarized(long seed) => new(Evaluation.Binarize(X, seed), Y?.clone(), Observed?.clone());

    /// <summary>Rows [start, start + length).</summary>
    public (Tensor X, Tensor? Y) Slice(long start, long length) => (X.narrow(0, start, length), Y?.narrow(0, start, length));

    /// <summary>Rows at <paramref name="indices"/>.</summary>
    public (Tensor X, Tensor? Y) Select(Tensor indices) => (X.index_select(0, indices), Y?.index_select(0, indices));

    public void Dispose()
    {
        X.Dispose();
        Y?.Dispose();
        Observed?.Dispose();
    }
}

/// <summary>Test-time figures of a trained model: −ELBO, importance-sampled NLL, active units.</summary>
public static class Evaluation
{
    /// <summary>A data set as one float tensor of shape [N, ...SampleShape], or [N, ...<paramref name="sampleShape"/>] for a
    /// shape of the same size (row-major). The caller disposes it.</summary>
    public static Tensor ToTensor(Dataset data, Device? device = null, IReadOnlyList<int>? sampleShape = null) =>
        tensor(data.Features, [data.Count, .. (sampleShape ?? data.SampleShape).Select(d => (long)d)], device: device);

    /// <summary>x binarised once: each pixel is 1 with probability equal to its value, from a generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor Binarize(Tensor x, long seed)
    {
        using var generator = new Generator((ulong)seed, x.device);
        return bernoulli(x.clamp(0, 1), generator);
    }

    /// <summary>−ELBO (β = 1), reconstruction and KL averaged over the set, one z per input from a generator
    /// seeded with <paramref name="seed"/>, so repeated evaluations agree. A set with missing values is scored on its observed
    /// values (<see cref="MaskedElbo"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public static SetMetrics NegElbo(VaeModule model, TensorSet data, int batchSize, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        model.eval();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed, data.X.device);
        double loss = 0, reconstruction = 0, kl = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(batchSize, data.Count - start);
            var (x, y) = data.Slice(start, length);
            ElboTerms terms = data.Observed is { } observed
                ? Bounds.NegElbo(model, x, x, observed.narrow(0, start, length), y, KlWeights.Unit, generator)
                : Bounds.NegElbo(model, x, y, KlWeights.Unit, generator);
            loss += terms.Loss.sum().ToDouble();
            reconstruction += terms.Reconstruction.sum().ToDouble();
            kl += terms.Kl.sum().ToDouble();
        }
        return new SetMetrics(loss / data.Count, reconstruction / data.Count, kl / data.Count);
    }

    /// <summary>Number of latent units whose posterior mean has variance &gt; <paramref name="threshold"/> over the set
    /// (Burda et al., 2016, section 5.2).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public static int ActiveUnits(VaeModule model, TensorSet data, int batchSize, double threshold = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        model.eval();
        using var noGrad = no_grad();
        var means = new List<Tensor>();
        try
        {
            for (long start = 0; start < data.Count; start += batchSize)
            {
                var (x, y) = data.Slice(start, Math.Min(batchSize, data.Count - start));
                var (mean, logvar) = model.Encode(x, y);
                logvar.Dispose();
                means.Add(mean);
            }
            using Tensor all = cat(means, 0);
            using Tensor variance = all.var(0, unbiased: false);
            using Tensor active = variance.gt(threshold).sum();
            return (int)active.ToInt64();
        }
        finally
        {
            foreach (Tensor m in means) m.Dispose();
        }
    }

    /// <summary>
    /// Importance-sampled negative log-likelihood −log p(x) ≈ −log (1/k) Σ_i w_i (Burda et al., 2016), averaged
    /// over the set, with <paramref name="k"/> samples per input drawn from a generator seeded with
    /// <paramref name="seed"/>. Samples are processed in chunks of at most <paramref name="rowsPerChunk"/> decoder rows.
    /// </summary>
    /// <remarks>Native memory stays bounded whatever the number of inputs: each batch's tensors are disposed with its scope,
    /// and freed memory the C library keeps is handed back once it piles up (<see cref="Native.NativeHeap"/>).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> or <paramref name="rowsPerChunk"/> is less than 1.</exception>
    public static double ImportanceNll(VaeModule model, TensorSet data, int k, long seed, int rowsPerChunk = 8192,
                                       Action<long>? onProgress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerChunk, 1);
        model.eval();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed, data.X.device);
        int batch = Math.Max(1, Math.Min(rowsPerChunk / Math.Min(k, rowsPerChunk), 256));
        int chunk = Math.Max(1, Math.Min(k, rowsPerChunk / batch));
        double total = 0;
        var heap = Native.NativeHeap.Watch();
        for (long start = 0; start < data.Count; start += batch)
        {
            long done;
            using (NewDisposeScope())
            {
                var (x, y) = data.Slice(start, Math.Min(batch, data.Count - start));
                var parts = new List<Tensor>();
                for (long drawn = 0; drawn < k; drawn += chunk)   // long: near int.MaxValue an int count wrapped and never reached k
                    parts.Add(Bounds.LogWeights(model, x, y, (int)Math.Min(chunk, k - drawn), generator).logsumexp(0));
                Tensor logPx = stack(parts, 0).logsumexp(0) - Math.Log(k);
                total -= logPx.sum().ToDouble();
                done = start + x.shape[0];
            }
            heap.Step();
            onProgress?.Invoke(done);
        }
        return total / data.Count;
    }
}
