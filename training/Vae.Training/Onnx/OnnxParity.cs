using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Runs an exported graph in ONNX Runtime and compares its outputs with TorchSharp's, value by value.
/// An output passes when |ONNX Runtime − TorchSharp| ≤ tolerance + <see cref="RelativeTolerance"/>·|TorchSharp|.
/// </summary>
public static class OnnxParity
{
    /// <summary>Batch sizes every export is verified at.</summary>
    public static readonly int[] BatchSizes = [1, 37];

    /// <summary>
    /// Relative part of the tolerance. 1e-6 is about eight float32 ulps: two float32 implementations summing a
    /// long dot product in different orders differ by a few ulps of the result, which an absolute tolerance alone
    /// cannot allow for once the outputs (logits) are large.
    /// </summary>
    public const double RelativeTolerance = 1e-6;

    /// <summary>
    /// Opens <paramref name="model"/> in ONNX Runtime with full graph optimisation (what users run) on one
    /// thread: verification batches are tiny, and a spinning thread pool only costs time, most of all on a
    /// busy machine. The caller disposes the session.
    /// </summary>
    /// <exception cref="OnnxVerificationException">ONNX Runtime refuses the graph.</exception>
    public static InferenceSession Open(byte[] model, string what)
    {
        Vae.Inference.OnnxRuntimeTelemetry.TurnOff();
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            return new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxVerificationException($"export verification failed: ONNX Runtime refuses the {what}: {e.Message}");
        }
    }

    /// <summary>Runs <paramref name="session"/> on TorchSharp tensors and returns the named outputs as flat arrays.</summary>
    public static float[][] Run(InferenceSession session, IReadOnlyList<(string Name, Tensor Value)> inputs, IReadOnlyList<string> outputNames)
    {
        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var (_, tensor) in inputs)
            {
                using Tensor contiguous = tensor.detach().to(float32).contiguous();
                values.Add(OrtValue.CreateTensorValueFromMemory(contiguous.data<float>().ToArray(), contiguous.shape));
            }
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, outputNames.ToArray());
            return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    /// <summary>Largest |expected − actual|; throws when any value is outside the tolerance.</summary>
    /// <param name="what">Names the output and the input in the error, e.g. "decoder output 'logits' (random z, batch 37)".</param>
    /// <exception cref="OnnxVerificationException">A value differs by more than <paramref name="tolerance"/> + <see cref="RelativeTolerance"/>·|expected|.</exception>
    public static double Compare(string what, Tensor expected, float[] actual, double tolerance)
    {
        using Tensor flat = expected.detach().to(float32).contiguous();
        float[] reference = flat.data<float>().ToArray();
        if (reference.Length != actual.Length)
            throw new OnnxVerificationException($"export verification failed: {what} has {actual.Length} values in ONNX Runtime, {reference.Length} in TorchSharp.");
        int bad = Array.FindIndex(reference, v => !float.IsFinite(v));
        if (bad >= 0)   // nothing to compare: the model itself is broken (NaN weights, or inputs it overflows on)
            throw new OnnxVerificationException($"export verification failed: {what} is {reference[bad]} at index {bad} in TorchSharp itself, " +
                                                "before any comparison; the model's weights or the verification inputs are not finite (check the checkpoint's training run).");
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
