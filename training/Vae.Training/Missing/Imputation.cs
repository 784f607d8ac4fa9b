using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Missing;

/// <summary>
/// Fills in missing values with a TorchSharp model, by the algorithm of the exported pair's
/// <c>VaeModel.Impute</c>: each missing value starts at the mean of its sample's observed values, then
/// <c>iterations</c> times the current guess is encoded, its posterior mean decoded (probabilities for a Bernoulli
/// model) and the missing values replaced by the decoded ones; observed values never change.
/// </summary>
public static class Imputation
{
    /// <summary>The completed samples of <paramref name="data"/> (its Features, with the values where <paramref name="observed"/> is
    /// false replaced), as a new array.</summary>
    /// <exception cref="ArgumentException">The flags do not match the data, the data does not fit the model, or a conditional model gets no labels.</exception>
    public static float[] Complete(VaeModule model, Dataset data, bool[] observed, int iterations = 10, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (observed.Length != data.Features.Length)
            throw new ArgumentException($"{nameof(observed)} has {observed.Length} flags; expected one per value of the data ({data.Count} × {data.SampleSize}).", nameof(observed));
        int size = data.SampleSize;
        float[] guess = (float[])data.Features.Clone();
        for (int s = 0; s < data.Count; s++)
        {
            double sum = 0;
            int count = 0;
            for (int j = s * size; j < (s + 1) * size; j++)
                if (observed[j]) { sum += guess[j]; count++; }
            float fill = count > 0 ? (float)(sum / count) : 0f;
            for (int j = s * size; j < (s + 1) * size; j++)
                if (!observed[j]) guess[j] = fill;
        }
        var start = new Dataset(guess, data.SampleShape, data.Labels, data.ClassCount);
        using TensorSet set = TensorSet.From(start, model, "data to impute");
        using Tensor known = tensor(observed, [data.Count, .. model.Config.InputShape.Select(d => (long)d)]);
        model.eval();
        using var noGrad = no_grad();
        var completed = new float[guess.Length];
        for (long first = 0; first < set.Count; first += batchSize)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(batchSize, set.Count - first);
            var (x, y) = set.Slice(first, n);
            Tensor keep = known.narrow(0, first, n);
            Tensor current = x;
            for (int pass = 0; pass < iterations; pass++)
            {
                var (mean, _) = model.Encode(current, y);
                Tensor decoded = model.Decode(mean, y).reshape(x.shape);
                if (model.Config.Likelihood == Likelihood.Bernoulli) decoded = decoded.sigmoid();
                current = where(keep, x, decoded);
            }
            current.flatten().data<float>().CopyTo(completed, (int)(first * size));
        }
        return completed;
    }
}
