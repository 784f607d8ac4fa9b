using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>One exported module: the ONNX model bytes and how closely ONNX Runtime matched TorchSharp.</summary>
/// <param name="Model">The serialised ONNX model.</param>
/// <param name="OutputShape">Shape of one output sample (batch axis excluded).</param>
/// <param name="MaxAbsDifference">Largest |ONNX Runtime − TorchSharp| over all verified inputs.</param>
/// <param name="Seconds">Wall time of build and verification.</param>
public sealed record OnnxModuleExport(byte[] Model, int[] OutputShape, double MaxAbsDifference, double Seconds)
{
    /// <summary>Writes <see cref="Model"/> to <paramref name="path"/> through a temporary file and a rename.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, Model);
}

/// <summary>
/// Exports any TorchSharp module tree made of registered layers (see <see cref="OnnxLayerRegistry"/>) as one
/// ONNX graph with one input and one output, both with a dynamic batch axis, and verifies it: the graph runs
/// in ONNX Runtime on random inputs (and <c>samples</c> when given) at batch 1 and 37 and must match the
/// TorchSharp forward pass within the tolerance of <see cref="OnnxParity"/>.
/// </summary>
public static class OnnxModuleExporter
{
    /// <summary>Builds and verifies the graph of <paramref name="module"/>; nothing is written to disk.</summary>
    /// <param name="module">The module; it is run in eval mode and its training flag is restored afterwards.</param>
    /// <param name="inputSampleShape">Shape of one input sample without the batch axis, e.g. [1, 28, 28].</param>
    /// <param name="samples">Optional real inputs [N, ...inputSampleShape] verified besides random ones.</param>
    /// <param name="metadata">Extra metadata_props written into the model.</param>
    /// <exception cref="UnsupportedModuleException">A module in the tree has no converter.</exception>
    /// <exception cref="OnnxVerificationException">ONNX Runtime disagrees with TorchSharp beyond the tolerance.</exception>
    public static OnnxModuleExport Export(
        nn.Module<Tensor, Tensor> module,
        IReadOnlyList<int> inputSampleShape,
        ExportOptions? options = null,
        string inputName = "input",
        string outputName = "output",
        Tensor? samples = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputSampleShape);
        if (inputSampleShape.Any(d => d <= 0))
            throw new ArgumentException($"{nameof(inputSampleShape)} is [{string.Join(", ", inputSampleShape)}]; expected positive dimensions (batch axis excluded).", nameof(inputSampleShape));
        if (string.IsNullOrWhiteSpace(inputName) || string.IsNullOrWhiteSpace(outputName) || inputName == outputName)
            throw new ArgumentException($"input name '{inputName}' and output name '{outputName}' must be non-empty and different.", nameof(outputName));
        if (samples is not null && !samples.shape.Skip(1).SequenceEqual(inputSampleShape.Select(d => (long)d)))
            throw new ArgumentException($"{nameof(samples)} has shape [{string.Join(", ", samples.shape)}]; expected [N, {string.Join(", ", inputSampleShape)}].", nameof(samples));
        options = (options ?? new ExportOptions()).Validate();
        var clock = Stopwatch.StartNew();
        using var threads = TorchThreads.Single();
        OnnxLayerRegistry.EnsureSupported(module, "");
        EnsureOnCpu(module);

        var graph = new OnnxGraphBuilder(options.Opset);
        OnnxValue input = graph.AddInput(inputName, inputSampleShape);
        OnnxValue output = OnnxLayerRegistry.Emit(graph, module, "", input, outputName);
        graph.AddOutput(output);
        var props = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["producer"] = VaeOnnxGraphs.Producer };
        byte[] bytes = graph.ToModelBytes(module.GetType().Name, options, props, $"{module.GetType().Name} exported from TorchSharp");

        double difference = Verify(module, bytes, inputName, outputName, inputSampleShape, options.Tolerance, samples);
        return new OnnxModuleExport(bytes, output.SampleShape, difference, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Throws when a parameter or buffer of <paramref name="module"/> is not on the CPU: weights are
    /// read and the graphs verified there, and moving the caller's model would be a hidden side effect.</summary>
    internal static void EnsureOnCpu(nn.Module module)
    {
        foreach (var (name, tensor) in module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers()))
            if (tensor.device_type != DeviceType.CPU)
                throw new ArgumentException($"{name} is on {tensor.device}; the exporter reads weights and verifies on the CPU. Export a copy moved with .cpu() (or load the checkpoint on the CPU).", nameof(module));
    }

    private static double Verify(nn.Module<Tensor, Tensor> module, byte[] model, string inputName, string outputName, IReadOnlyList<int> sampleShape, double tolerance, Tensor? samples)
    {
        using var session = OnnxParity.Open(model, "exported graph");
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var generator = new Generator(1234);
            double worst = 0;
            foreach (int batch in OnnxParity.BatchSizes)
            {
                using var scope = NewDisposeScope();
                var inputs = new List<(string Kind, Tensor X)> { ("random", randn([batch, .. sampleShape.Select(d => (long)d)], generator: generator)) };
                if (samples is not null && samples.shape[0] >= batch) inputs.Add(("sample", samples.narrow(0, 0, batch).to(float32)));
                foreach (var (kind, x) in inputs)
                {
                    Tensor expected = module.forward(x);
                    float[] actual = OnnxParity.Run(session, [(inputName, x)], [outputName])[0];
                    worst = Math.Max(worst, OnnxParity.Compare($"output '{outputName}' ({kind} input, batch {batch})", expected, actual, tolerance));
                }
            }
            return worst;
        }
        finally
        {
            module.train(wasTraining);
        }
    }
}
