using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Vae.Inference;
using Vae.Triton.Proto;

namespace Vae.Triton;

/// <summary>
/// Writes an exported model folder as a Triton Inference Server model repository: <c>NAME_encoder/1/model.onnx</c> and
/// <c>NAME_decoder/1/model.onnx</c> (byte-identical copies of the export), each with a <c>config.pbtxt</c> (Triton's
/// ModelConfig in protobuf text format): backend onnxruntime, max_batch_size, per-sample dims of every graph input and
/// output, dynamic_batching, instance_group. The same model names vae-serve gives the folder, so clients work with both.
/// </summary>
public static class TritonRepository
{
    /// <summary>The file name of a model's configuration in a Triton repository.</summary>
    public const string ConfigFile = "config.pbtxt";

    /// <summary>Writes the two models into <paramref name="repository"/> (created if needed); returns their folders.</summary>
    /// <exception cref="VaeModelException">The folder is not a loadable pair.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="IOException">A model folder exists already (without <see cref="TritonOptions.Overwrite"/>), or writing failed.</exception>
    public static IReadOnlyList<string> Write(string modelFolder, string repository, TritonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        ArgumentNullException.ThrowIfNull(repository);
        options = (options ?? new TritonOptions()).Validate();
        using (VaeModel.Load(modelFolder)) { } // the pair's own checks: both files, metadata, shapes
        string name = options.Name ?? Path.GetFileName(Path.GetFullPath(modelFolder).TrimEnd(Path.DirectorySeparatorChar));
        if (options.Name is null) _ = (options with { Name = name }).Validate(); // a folder name that cannot be a model name
        Directory.CreateDirectory(repository);
        var written = new List<string>();
        foreach (var (graph, suffix) in new[] { (VaeModel.EncoderFile, "_encoder"), (VaeModel.DecoderFile, "_decoder") })
        {
            string onnx = Path.Combine(modelFolder, graph);
            ModelConfig config = Config(name + suffix, onnx, options);
            written.Add(WriteModel(repository, config, onnx, options.Overwrite));
        }
        return written;
    }

    /// <summary>The ModelConfig of one graph: its tensors as the ONNX file declares them, the batching and instances of <paramref name="options"/>.</summary>
    public static ModelConfig Config(string modelName, string onnxPath, TritonOptions options)
    {
        var config = new ModelConfig { Name = modelName, Backend = "onnxruntime", MaxBatchSize = options.MaxBatchSize };
        using (var session = new InferenceSession(onnxPath))
        {
            foreach (var (tensor, node) in session.InputMetadata)
                config.Input.Add(new ModelInput { Name = tensor, DataType = DataTypeOf(node, tensor, onnxPath), Dims = { SampleDims(node, tensor, onnxPath) } });
            foreach (var (tensor, node) in session.OutputMetadata)
                config.Output.Add(new ModelOutput { Name = tensor, DataType = DataTypeOf(node, tensor, onnxPath), Dims = { SampleDims(node, tensor, onnxPath) } });
        }
        if (options.DynamicBatching) config.DynamicBatching = new ModelDynamicBatching { MaxQueueDelayMicroseconds = (ulong)options.MaxQueueDelayMicroseconds };
        config.InstanceGroup.Add(new ModelInstanceGroup
        {
            Kind = options.InstanceKind == InstanceKind.Gpu ? ModelInstanceGroup.Types.Kind.Gpu : ModelInstanceGroup.Types.Kind.Cpu,
            Count = options.InstanceCount,
        });
        return config;
    }

    private static DataType DataTypeOf(NodeMetadata node, string tensor, string path) => node.ElementDataType == TensorElementType.Float
        ? DataType.TypeFp32
        : throw new VaeModelException($"{path}: tensor '{tensor}' holds {node.ElementDataType}; the exported graphs hold float32.");

    /// <summary>The dims after the batch dimension, which must be free (Triton adds it when max_batch_size &gt; 0).</summary>
    private static IEnumerable<long> SampleDims(NodeMetadata node, string tensor, string path)
    {
        int[] dims = node.Dimensions;
        if (dims.Length < 2 || dims[0] > 0 || dims.Skip(1).Any(d => d <= 0))
            throw new VaeModelException($"{path}: tensor '{tensor}' has shape [{string.Join(",", dims)}]; expected a free batch dimension then fixed sizes.");
        return dims.Skip(1).Select(d => (long)d);
    }

    /// <summary>Writes MODEL/1/model.onnx and MODEL/config.pbtxt into a temporary folder, then renames it into place.</summary>
    private static string WriteModel(string repository, ModelConfig config, string onnx, bool overwrite)
    {
        string target = Path.Combine(repository, config.Name);
        if (Directory.Exists(target) && !overwrite)
            throw new IOException($"{target} exists; pass --force (TritonOptions.Overwrite) to replace it.");
        string temporary = Path.Combine(repository, $".{config.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(Path.Combine(temporary, "1"));
            File.Copy(onnx, Path.Combine(temporary, "1", "model.onnx"));
            File.WriteAllText(Path.Combine(temporary, ConfigFile), ProtoText.Format(config));
            if (Directory.Exists(target))
            {
                string old = temporary + ".old";
                Directory.Move(target, old);
                Directory.Move(temporary, target);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(temporary, target);
            return target;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }
}
