using Microsoft.ML.OnnxRuntime;

namespace Vae.Bench.Inference;

/// <summary>
/// The baseline: the least code that runs one graph with ONNX Runtime's managed API: OrtValues created once
/// over pinned arrays, then one <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/> per call.
/// </summary>
internal sealed class RawOrtCall : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly string[] inputNames, outputNames;
    private readonly OrtValue[] inputs, outputs;

    /// <param name="inputs">Input name → (array, shape); the arrays stay pinned by the OrtValues.</param>
    /// <param name="outputs">Output name → (array, shape) that ONNX Runtime writes into.</param>
    public RawOrtCall(string path, SessionOptions options, (string Name, float[] Data, long[] Shape)[] inputs, (string Name, float[] Data, long[] Shape)[] outputs)
    {
        session = new InferenceSession(path, options);
        inputNames = inputs.Select(i => i.Name).ToArray();
        outputNames = outputs.Select(o => o.Name).ToArray();
        this.inputs = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToArray();
        this.outputs = outputs.Select(o => OrtValue.CreateTensorValueFromMemory(o.Data, o.Shape)).ToArray();
    }

    public void Run() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);

    public void Dispose()
    {
        foreach (var v in inputs.Concat(outputs)) v.Dispose();
        runOptions.Dispose();
        session.Dispose();
    }
}
