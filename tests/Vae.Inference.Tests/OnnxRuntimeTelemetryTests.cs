namespace Vae.Inference.Tests;

/// <summary>ONNX Runtime's telemetry stays off: the library sets its switch in the environment before the first session.</summary>
public class OnnxRuntimeTelemetryTests
{
    [Fact]
    public void Loading_a_model_turns_onnx_runtime_telemetry_off_in_the_process_environment()
    {
        using VaeModel model = ReferenceModel.Load();
        Assert.True(OnnxRuntimeTelemetry.TurnOff());
        Assert.Equal("1", Environment.GetEnvironmentVariable(OnnxRuntimeTelemetry.Variable));
    }
}
