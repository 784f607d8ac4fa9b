using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>How ONNX Runtime sessions are created for a pair, and how inputs are checked.</summary>
public sealed record VaeSessionOptions
{
    /// <summary>
    /// Most <see cref="IntraOpThreads"/>: 1,024, more than the logical processors of current servers (threads beyond
    /// those only contend). ONNX Runtime starts that many OS threads for each of the two sessions when it loads them,
    /// so a larger count only makes loading slow.
    /// </summary>
    public const int MaxThreads = 1024;

    /// <summary>Threads for one operator, 0 to <see cref="MaxThreads"/>; 0 lets ONNX Runtime choose (default).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Whether idle intra-op threads spin (lower latency, more CPU). Default true, ONNX Runtime's own default.</summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>Graph optimisation level (default all).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Execution provider (default <see cref="ExecutionProvider.Cpu"/>); see <see cref="VaeModel.Provider"/> for the one in use.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>GPU device id for CUDA, DirectML and TensorRT (default 0).</summary>
    public int DeviceId { get; init; }

    /// <summary>
    /// When true (default), a provider named explicitly that cannot be used throws <see cref="ExecutionProviderException"/>
    /// saying what is missing; when false the model falls back to the CPU and says why in <see cref="VaeModel.ProviderReport"/>.
    /// <see cref="ExecutionProvider.Auto"/> always falls back.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// Whether NaN and ±Infinity are passed to the graphs. Default false: every input is checked and the first
    /// non-finite value is reported with its index (the check is vectorised and costs well under 1% of a run).
    /// </summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    internal VaeSessionOptions Validate()
    {
        if (IntraOpThreads < 0 || IntraOpThreads > MaxThreads)
            throw new ArgumentException($"{nameof(IntraOpThreads)} is {IntraOpThreads}; expected 0 (automatic) to {MaxThreads} threads ({nameof(MaxThreads)}).", nameof(IntraOpThreads));
        if (DeviceId < 0)
            throw new ArgumentException($"{nameof(DeviceId)} is {DeviceId}; expected a device index of 0 or more.", nameof(DeviceId));
        if (!Enum.IsDefined(OptimizationLevel))
            throw new ArgumentException($"{nameof(OptimizationLevel)} is {(int)OptimizationLevel}; expected one of {string.Join(", ", Enum.GetNames<GraphOptimizationLevel>())}.", nameof(OptimizationLevel));
        if (!Enum.IsDefined(Provider))
            throw new ArgumentException($"{nameof(Provider)} is {(int)Provider}; expected one of {string.Join(", ", Enum.GetNames<ExecutionProvider>())}.", nameof(Provider));
        return this;
    }

    /// <summary>Builds the ONNX Runtime options for one concrete provider. The caller owns and must dispose the result.</summary>
    /// <exception cref="ExecutionProviderException">The provider is not in the build or cannot start.</exception>
    internal SessionOptions ToSessionOptions(ExecutionProvider provider)
    {
        var options = new SessionOptions { GraphOptimizationLevel = OptimizationLevel, IntraOpNumThreads = IntraOpThreads };
        try
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
            ProviderSetup.Append(options, provider, DeviceId);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }
}
