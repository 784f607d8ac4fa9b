namespace Vae.Training.Missing;

/// <summary>
/// How well hidden values were filled in, against the baseline every imputation must beat: mean filling, each hidden value
/// replaced by the mean of its column (its position in a sample) over the true values of the whole scored set. That is
/// the best constant fill per column for this set — it even sees the hidden values — so beating it beats any mean fill
/// computed from observed or training values.
/// </summary>
/// <param name="ImputedMse">Mean squared error of the imputed values on the hidden ones.</param>
/// <param name="MeanFillMse">Mean squared error of column-mean filling on the same values.</param>
/// <param name="Hidden">Values scored.</param>
public sealed record ImputationScore(double ImputedMse, double MeanFillMse, long Hidden)
{
    /// <summary>1 − imputed / mean fill: the fraction by which the imputation lowers the baseline's error.</summary>
    public double Improvement => MeanFillMse > 0 ? 1 - ImputedMse / MeanFillMse : 0;

    /// <summary>Scores <paramref name="completed"/> against the true <paramref name="truth"/> where <paramref name="observed"/> is false
    /// (values missing in the data itself, NaN in <paramref name="truth"/>, have no truth and are not scored).</summary>
    /// <exception cref="ArgumentException">The arrays differ in length, are not whole samples of <paramref name="sampleSize"/>, or nothing is hidden.</exception>
    public static ImputationScore Measure(ReadOnlySpan<float> truth, ReadOnlySpan<bool> observed, ReadOnlySpan<float> completed, int sampleSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        if (observed.Length != truth.Length || completed.Length != truth.Length || truth.Length % sampleSize != 0)
            throw new ArgumentException($"{truth.Length} true values, {observed.Length} flags and {completed.Length} completed values; expected equal lengths of whole samples of {sampleSize}.", nameof(completed));
        var sum = new double[sampleSize];
        var known = new int[sampleSize];
        for (int i = 0; i < truth.Length; i++)
        {
            if (float.IsNaN(truth[i])) continue;
            sum[i % sampleSize] += truth[i];
            known[i % sampleSize]++;
        }
        double imputed = 0, meanFill = 0;
        long hidden = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (observed[i] || float.IsNaN(truth[i])) continue;
            double fill = sum[i % sampleSize] / known[i % sampleSize];
            imputed += (completed[i] - truth[i]) * (double)(completed[i] - truth[i]);
            meanFill += (fill - truth[i]) * (fill - truth[i]);
            hidden++;
        }
        if (hidden == 0) throw new ArgumentException("no hidden value with a known truth to score; hide values with a mask first.", nameof(observed));
        return new ImputationScore(imputed / hidden, meanFill / hidden, hidden);
    }
}
