using System.Text.Json.Serialization;
using Microsoft.ML;
using Vae.Cli.Commands;
using Vae.MLNet;
using Vae.Training.Data;

namespace Vae.Cli.Compare;

/// <summary>One method's row of <c>vae compare</c>.</summary>
/// <param name="Method">VAE, AE or PCA.</param>
/// <param name="CodeSize">Values per code.</param>
/// <param name="ReconstructionMse">Mean squared error per value between the test samples and their reconstructions.</param>
/// <param name="KMeansPurity">k-means (k = classes) on the test codes: purity against the labels.</param>
/// <param name="KMeansNmi">The same clustering's normalised mutual information with the labels.</param>
/// <param name="LinearAccuracy">SdcaMaximumEntropy (ML.NET) trained on the training codes: accuracy on the test codes.</param>
/// <param name="PriorGap">KL(N(m, diag s²) ‖ N(0, I)) of the Gaussian moment-matched to the test codes, in nats: 0 when the codes
/// look like the z ~ N(0, I) the generator feeds the decoder; null for PCA, whose samples come from its codes' own Gaussian.</param>
/// <param name="Sampling">How the method's samples are drawn.</param>
public sealed record CodeFigures(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("code_size")] int CodeSize,
    [property: JsonPropertyName("reconstruction_mse")] double ReconstructionMse,
    [property: JsonPropertyName("kmeans_purity")] double KMeansPurity,
    [property: JsonPropertyName("kmeans_nmi")] double KMeansNmi,
    [property: JsonPropertyName("linear_accuracy")] double LinearAccuracy,
    [property: JsonPropertyName("prior_gap_nats")] double? PriorGap,
    [property: JsonPropertyName("sampling")] string Sampling)
{
    /// <summary>Measures one method from its codes and reconstructions.</summary>
    /// <param name="trainCodes">Codes of the training samples (N × codeSize), for the linear classifier.</param>
    /// <param name="testCodes">Codes of the test samples.</param>
    /// <param name="reconstructions">The test samples' reconstructions (test × input size).</param>
    public static CodeFigures Measure(MLContext ml, string method, int codeSize, Dataset train, float[] trainCodes, Dataset test, float[] testCodes,
                                      float[] reconstructions, bool priorIsStandardNormal, string sampling, int seed)
    {
        int classes = Math.Max(train.ClassCount, test.ClassCount);
        KMeansClustering clusters = KMeansClustering.Fit(testCodes, codeSize, Math.Min(classes, test.Count), seed);
        ClusterAgreement agreement = ClusterAgreement.Measure(test.Labels!, clusters.Assignments);
        var trainView = LabelledDataView.Load(ml, new Dataset(trainCodes, [codeSize], train.Labels, classes));
        var testView = LabelledDataView.Load(ml, new Dataset(testCodes, [codeSize], test.Labels, classes));
        var features = ml.Transforms.CopyColumns("Features", "Pixels").Append(ml.Transforms.NormalizeMinMax("Features"));
        var (accuracy, _) = ClassifyCommand.Score(ml, features, trainView, testView, classes);
        return new CodeFigures(method, codeSize, MeanSquaredError(test.Features, reconstructions), agreement.Purity,
                               agreement.NormalizedMutualInformation, accuracy, priorIsStandardNormal ? PriorGapOf(testCodes, codeSize) : null, sampling);
    }

    /// <summary>Mean of (a − b)² over all values.</summary>
    public static double MeanSquaredError(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"{a.Length} values against {b.Length}; expected equal lengths.", nameof(b));
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)(a[i] - b[i]) * (a[i] - b[i]);
        return sum / a.Length;
    }

    /// <summary>Σ_j ½(s_j² + m_j² − 1 − ln s_j²) for the per-dimension mean m and variance s² of the codes (a variance of 0 counts as 10⁻¹²).</summary>
    public static double PriorGapOf(float[] codes, int codeSize)
    {
        int n = codes.Length / codeSize;
        double gap = 0;
        for (int j = 0; j < codeSize; j++)
        {
            double sum = 0, squares = 0;
            for (int i = 0; i < n; i++)
            {
                double v = codes[i * codeSize + j];
                sum += v;
                squares += v * v;
            }
            double mean = sum / n, variance = Math.Max(1e-12, squares / n - mean * mean);
            gap += 0.5 * (variance + mean * mean - 1 - Math.Log(variance));
        }
        return gap;
    }
}
