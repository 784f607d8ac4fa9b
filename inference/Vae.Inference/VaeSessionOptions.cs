using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>How ONNX Runtime sessions are created for a pair.</summary>
public sealed record VaeSessionOptions
{
    /// <summary>Threads for one operator; 0 lets ONNX Runtime choose (default).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Whether idle intra-op threads spin (lower latency, more CPU). Default true, ONNX Runtime's own default.</summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>Graph optimisation level (default all).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Builds the ONNX Runtime options. The caller owns and must dispose the result.</summary>
    internal SessionOptions ToSessionOptions()
    {
        if (IntraOpThreads < 0)
            throw new ArgumentException($"{nameof(IntraOpThreads)} is {IntraOpThreads}; expected 0 (automatic) or a positive count.", nameof(IntraOpThreads));
        var options = new SessionOptions { GraphOptimizationLevel = OptimizationLevel, IntraOpNumThreads = IntraOpThreads };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
        return options;
    }
}
