using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference.Tests;

/// <summary>The plainest possible ONNX Runtime call, as an independent reference for the library.</summary>
internal static class RawOrt
{
    /// <summary>Runs <paramref name="graph"/> with one float input [batch, width] and returns its named outputs.</summary>
    public static Dictionary<string, float[]> Run(string graph, string inputName, float[] input, int width)
    {
        using var session = new InferenceSession(Path.Combine(ReferenceModel.Folder, graph));
        using var value = OrtValue.CreateTensorValueFromMemory(input, [input.Length / width, width]);
        using var outputs = session.Run(new RunOptions(), new Dictionary<string, OrtValue> { [inputName] = value }, session.OutputNames);
        return session.OutputNames.Zip(outputs).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
    }
}
