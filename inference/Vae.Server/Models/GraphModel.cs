using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Vae.Inference;

namespace Vae.Server.Models;

/// <summary>
/// One ONNX graph of an exported pair served as an OIP model (<c>NAME_encoder</c> or <c>NAME_decoder</c>): its inputs and
/// outputs as the graph declares them, and a batched run that computes every output. Safe to run from many threads at
/// once. Owns its ONNX Runtime session: dispose it when no run is in flight.
/// </summary>
public sealed class GraphModel : IGraph, IDisposable
{
    /// <summary>The one version every served model has (a Triton repository holds it as folder 1/).</summary>
    public const string Version = "1";

    /// <summary>The platform name Triton reports for ONNX models.</summary>
    public const string Platform = "onnxruntime_onnx";

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly string[] inputNames, outputNames;

    private GraphModel(string name, InferenceSession session, TensorSpec[] inputs, TensorSpec[] outputs)
    {
        Name = name;
        this.session = session;
        Inputs = inputs;
        Outputs = outputs;
        inputNames = inputs.Select(t => t.Name).ToArray();
        outputNames = outputs.Select(t => t.Name).ToArray();
    }

    /// <summary>The OIP model name.</summary>
    public string Name { get; }

    /// <summary>The graph's inputs in its own order; every one is required.</summary>
    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>The graph's outputs in its own order.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>
    /// Opens <paramref name="path"/> with the session options of a pair already loaded and checked by <see cref="VaeModel.Load(string, VaeSessionOptions?)"/>
    /// on <paramref name="provider"/>. The caller owns the result and disposes it.
    /// </summary>
    /// <exception cref="VaeModelException">The graph cannot be loaded, or a tensor is not float32 with a free batch dimension.</exception>
    public static GraphModel Open(string name, string path, VaeSessionOptions options, ExecutionProvider provider)
    {
        using SessionOptions sessionOptions = options.ToSessionOptions(provider);
        InferenceSession session;
        try { session = new InferenceSession(path, sessionOptions); }
        catch (OnnxRuntimeException e) { throw new VaeModelException($"{path}: not a loadable ONNX model ({e.Message.Trim()}).", e); }
        try
        {
            return new GraphModel(name, session, Specs(session.InputMetadata, "input", path), Specs(session.OutputMetadata, "output", path));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static TensorSpec[] Specs(IReadOnlyDictionary<string, NodeMetadata> tensors, string kind, string path) =>
        tensors.Select(pair =>
        {
            NodeMetadata node = pair.Value;
            int[] dims = node.Dimensions;
            if (node.ElementDataType != TensorElementType.Float)
                throw new VaeModelException($"{path}: {kind} '{pair.Key}' holds {node.ElementDataType}; vae-serve serves float32 tensors.");
            if (dims.Length < 2 || dims[0] > 0 || dims.Skip(1).Any(d => d <= 0))
                throw new VaeModelException($"{path}: {kind} '{pair.Key}' has shape [{string.Join(",", dims)}]; expected a free batch dimension then fixed sizes.");
            return new TensorSpec(pair.Key, TensorSpec.Fp32, dims[1..]);
        }).ToArray();

    /// <summary>
    /// Runs the graph on <paramref name="rows"/> samples. <paramref name="inputs"/>[i] holds rows × <see cref="Inputs"/>[i].SampleSize
    /// values; returns one new array per output, in the order of <see cref="Outputs"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs do not fit the graph (a server bug: requests are checked before they get here).</exception>
    /// <exception cref="VaeInferenceException">ONNX Runtime failed (for example out of memory).</exception>
    public float[][] Run(float[][] inputs, int rows)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != Inputs.Count) throw new ArgumentException($"{nameof(inputs)} holds {inputs.Length} tensors; {Name} takes {Inputs.Count}.", nameof(inputs));
        var values = new OrtValue[inputs.Length + Outputs.Count];
        var outputs = new float[Outputs.Count][];
        try
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].Length != rows * Inputs[i].SampleSize)
                    throw new ArgumentException($"input '{Inputs[i].Name}' holds {inputs[i].Length} values; {rows} rows need {rows * Inputs[i].SampleSize}.", nameof(inputs));
                values[i] = OrtValue.CreateTensorValueFromMemory(inputs[i], Shape(rows, Inputs[i]));
            }
            for (int o = 0; o < outputs.Length; o++)
            {
                outputs[o] = new float[rows * Outputs[o].SampleSize];
                values[inputs.Length + o] = OrtValue.CreateTensorValueFromMemory(outputs[o], Shape(rows, Outputs[o]));
            }
            session.Run(runOptions, inputNames, values[..inputs.Length], outputNames, values[inputs.Length..]);
            return outputs;
        }
        catch (OnnxRuntimeException e)
        {
            throw new VaeInferenceException($"{Name}: ONNX Runtime failed on {rows} rows: {e.Message.Trim()}");
        }
        finally
        {
            foreach (OrtValue? value in values) value?.Dispose();
        }
    }

    private static long[] Shape(int rows, TensorSpec spec) => [rows, .. spec.SampleShape.Select(d => (long)d)];

    /// <summary>Releases the session; call only when no run is in flight.</summary>
    public void Dispose()
    {
        session.Dispose();
        runOptions.Dispose();
    }
}
