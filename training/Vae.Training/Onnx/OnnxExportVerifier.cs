using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Runs exported graphs in ONNX Runtime and compares every output with the TorchSharp forward pass on
/// the same inputs: random inputs and, when given, real samples, at batch 1 and batch 37.
/// </summary>
public static class OnnxExportVerifier
{
    /// <summary>Batch sizes every export is verified at.</summary>
    public static readonly int[] BatchSizes = [1, 37];

    /// <summary>
    /// Largest relative part of the tolerance: an output passes when |ORT − TorchSharp| ≤ tolerance + 1e-6·|TorchSharp|.
    /// 1e-6 is about eight float32 ulps: two float32 implementations summing a 400-term dot product in different
    /// orders differ by ~6 ulps, which exceeds 1e-5 absolute once logits pass ~10 (measured on the MNIST demo model).
    /// </summary>
    public const double RelativeTolerance = 1e-6;

    /// <summary>Returns the largest absolute difference found.</summary>
    /// <param name="realSamples">Optional real inputs [N, ...InputShape]; the first rows are used.</param>
    /// <exception cref="OnnxVerificationException">An output differs by more than <paramref name="tolerance"/> + <see cref="RelativeTolerance"/>·|expected|.</exception>
    public static double Verify(VaeModule model, byte[] encoderOnnx, byte[] decoderOnnx, double tolerance, Tensor? realSamples = null)
    {
        VaeGraphLayout layout = model.GraphLayout;
        using var sessionOptions = new SessionOptions();
        using var encoder = new InferenceSession(encoderOnnx, sessionOptions);
        using var decoder = new InferenceSession(decoderOnnx, sessionOptions);
        string decoderOutput = model.Config.Likelihood == Likelihood.Bernoulli ? "logits" : "mean";
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var generator = new Generator(1234);
            double worst = 0;
            foreach (int batch in BatchSizes)
            {
                var inputs = new List<(string Kind, Tensor X)>
                {
                    ("random", randn([batch, .. model.Config.InputShape.Select(d => (long)d)], generator: generator).sigmoid()),
                };
                if (realSamples is not null && realSamples.shape[0] >= batch) inputs.Add(("real", realSamples.narrow(0, 0, batch)));
                foreach (var (kind, x) in inputs)
                {
                    using var scope = NewDisposeScope();
                    var (mean, logvar) = model.Encode(x);
                    Tensor xGraph = x.reshape([batch, .. layout.EncoderInputShape.Select(d => (long)d)]);
                    var encoded = Run(encoder, "x", xGraph, ["mean", "logvar"]);
                    worst = Math.Max(worst, Compare($"encoder output 'mean' ({kind} x, batch {batch})", mean, encoded[0], tolerance));
                    worst = Math.Max(worst, Compare($"encoder output 'logvar' ({kind} x, batch {batch})", logvar, encoded[1], tolerance));

                    Tensor randomZ = randn([batch, model.Config.LatentSize], generator: generator);
                    foreach (var (zKind, z) in new[] { ("random", randomZ), ("encoded", mean) })
                    {
                        Tensor expected = model.Decode(z);
                        var decoded = Run(decoder, "z", z, [decoderOutput]);
                        worst = Math.Max(worst, Compare($"decoder output '{decoderOutput}' ({zKind} z, batch {batch})", expected, decoded[0], tolerance));
                    }
                }
            }
            return worst;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static float[][] Run(InferenceSession session, string inputName, Tensor input, string[] outputNames)
    {
        using Tensor contiguous = input.contiguous();
        float[] data = contiguous.data<float>().ToArray();
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(data, contiguous.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], outputNames);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    private static double Compare(string what, Tensor expected, float[] actual, double tolerance)
    {
        float[] reference = expected.contiguous().data<float>().ToArray();
        if (reference.Length != actual.Length)
            throw new OnnxVerificationException($"export verification failed: {what} has {actual.Length} values in ONNX Runtime, {reference.Length} in TorchSharp.");
        double worst = 0, worstExcess = double.NegativeInfinity;
        int at = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = Math.Abs((double)reference[i] - actual[i]);
            double excess = d - (tolerance + RelativeTolerance * Math.Abs(reference[i]));
            if (!(d <= worst)) worst = d;
            if (!(excess <= worstExcess)) { worstExcess = excess; at = i; }
        }
        if (!(worstExcess <= 0))
            throw new OnnxVerificationException($"export verification failed: {what} differs by {Math.Abs((double)reference[at] - actual[at]):G3} at index {at} (TorchSharp {reference[at]}, ONNX Runtime {actual[at]}); allowed {tolerance:G3} + {RelativeTolerance:G1}·|TorchSharp|.");
        return worst;
    }
}
