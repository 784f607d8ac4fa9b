using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>
/// Keeps ONNX Runtime's usage telemetry off. ONNX Runtime 1.31 on Linux and macOS starts a telemetry client when its
/// environment is created: it writes a device id and an event store under <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime</c>
/// (macOS: <c>~/Library/Application Support/…</c>) and uploads events; on Windows it logs ETW events. This library turns
/// that off before it creates any ONNX Runtime session: it sets <c>ORT_DISABLE_TELEMETRY=1</c> in the process environment
/// (ONNX Runtime's own switch, read when its environment is created) and calls
/// <see cref="OrtEnv.DisableTelemetryEvents"/>. To keep ONNX Runtime's telemetry, set <c>ORT_DISABLE_TELEMETRY=0</c>
/// before the process starts: a value already there is left as it is.
/// </summary>
public static partial class OnnxRuntimeTelemetry
{
    /// <summary>ONNX Runtime's environment variable: "1" turns its telemetry off.</summary>
    public const string Variable = "ORT_DISABLE_TELEMETRY";

    private static readonly Lazy<bool> Done = new(TurnOffOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Turns ONNX Runtime's telemetry off for this process unless <see cref="Variable"/> was set before it
    /// started. Idempotent and thread-safe; it must run before anything else in the process creates ONNX Runtime's
    /// environment (<see cref="VaeModel"/> calls it before its first session; an application that uses ONNX Runtime
    /// directly as well calls it first).</summary>
    /// <returns>True when telemetry is off (set here or by the caller's environment), false when the environment asked to keep it.</returns>
    public static bool TurnOff() => Done.Value;

    private static bool TurnOffOnce()
    {
        string? given = Environment.GetEnvironmentVariable(Variable);
        if (given is null)
        {
            // .NET keeps its own copy of the environment on Unix: the native library reads the C runtime's, so set both
            Environment.SetEnvironmentVariable(Variable, "1");
            if (!OperatingSystem.IsWindows()) _ = SetEnv(Variable, "1", 0);
        }
        bool off = given is null || given == "1";
        if (off) OrtEnv.Instance().DisableTelemetryEvents();
        return off;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
