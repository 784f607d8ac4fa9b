namespace Vae.Inference;

/// <summary>
/// How unusual one sample is under the model, in nats (higher is more anomalous), from
/// <see cref="VaeModel.ScoreAnomalies(ReadOnlySpan{float}, Span{AnomalyScore}, int, long, ReadOnlySpan{int})"/>.
/// </summary>
/// <param name="NegativeElbo">−ELBO = <see cref="ReconstructionNll"/> + <see cref="Kl"/>: an upper bound on −log p(x).</param>
/// <param name="NegativeLogLikelihood">Importance-weighted estimate of −log p(x) with the same k samples (IWAE bound, Burda et al. 2016); tighter than −ELBO, equal for k = 1.</param>
/// <param name="ReconstructionNll">−log p(x|z) averaged over the k samples z ~ q(z|x) (Bernoulli: binary cross-entropy summed over values).</param>
/// <param name="Kl">KL(q(z|x) ‖ N(0, I)), analytic.</param>
/// <param name="SquaredError">Σ (x − x̂)² with x̂ the decoded posterior mean (probabilities or means): a plain reconstruction error.</param>
public readonly record struct AnomalyScore(float NegativeElbo, float NegativeLogLikelihood, float ReconstructionNll, float Kl, float SquaredError);

/// <summary>The log-densities behind <see cref="AnomalyScore"/>.</summary>
internal static class Likelihoods
{
    /// <summary>Σ max(l, 0) − l·x + log(1 + e^−|l|): −log p(x | logits l), stable for any logit.</summary>
    public static double BernoulliNll(ReadOnlySpan<float> x, ReadOnlySpan<float> logits)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float l = logits[i];
            sum += MathF.Max(l, 0) - l * x[i] + MathF.Log(1 + MathF.Exp(-MathF.Abs(l)));
        }
        return sum;
    }

    /// <summary>½ Σ ((x − μ)²/σ² + log 2πσ²): −log N(x; μ, σ²I).</summary>
    public static double GaussianNll(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, double sigma)
    {
        double squares = 0;
        for (int i = 0; i < x.Length; i++) { double d = x[i] - mean[i]; squares += d * d; }
        return 0.5 * (squares / (sigma * sigma) + x.Length * Math.Log(2 * Math.PI * sigma * sigma));
    }

    /// <summary>½ Σ ((x − μ)²·e^{−logvar} + logvar + log 2π): −log N(x; μ, diag(e^logvar)) with a per-value log-variance.</summary>
    public static double GaussianNll(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> logvar)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - mean[i];
            sum += d * d * Math.Exp(-logvar[i]) + logvar[i];
        }
        return 0.5 * (sum + x.Length * Math.Log(2 * Math.PI));
    }

    /// <summary>KL(N(mean, e^logvar) ‖ N(0, I)) = −½ Σ (1 + logvar − mean² − e^logvar).</summary>
    public static double GaussianKl(ReadOnlySpan<float> mean, ReadOnlySpan<float> logvar)
    {
        double sum = 0;
        for (int i = 0; i < mean.Length; i++) sum += 1 + logvar[i] - mean[i] * (double)mean[i] - Math.Exp(logvar[i]);
        return -0.5 * sum;
    }

    /// <summary>
    /// Adds the log-weight <paramref name="w"/> to a running log Σ e^w kept as <paramref name="max"/> + log <paramref name="scaledSum"/>
    /// (start at −∞ and 0): e^(w − max) never overflows, and the sum is rescaled when a larger w arrives. One pass, no
    /// buffer of all the weights.
    /// </summary>
    public static void AddLogWeight(double w, ref double max, ref double scaledSum)
    {
        if (w > max)
        {
            scaledSum = scaledSum * Math.Exp(max - w) + 1;
            max = w;
        }
        else scaledSum += Math.Exp(w - max);
    }
}
