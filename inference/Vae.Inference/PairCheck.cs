using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference;

/// <summary>Checks that two loaded sessions are an encoder and a decoder exported together, with the inputs and outputs this library calls.</summary>
internal static class PairCheck
{
    /// <summary>The pair's facts (from the encoder's metadata) once everything fits.</summary>
    /// <exception cref="VaeModelException">Says which file is wrong and what differs.</exception>
    public static VaeModelInfo Check(InferenceSession encoder, string encoderPath, InferenceSession decoder, string decoderPath)
    {
        VaeModelInfo encoderInfo = VaeModelInfo.FromMetadata(CustomMetadata(encoder, encoderPath), encoderPath);
        VaeModelInfo decoderInfo = VaeModelInfo.FromMetadata(CustomMetadata(decoder, decoderPath), decoderPath);
        CheckGraph(encoder, encoderPath, "encoder");
        CheckGraph(decoder, decoderPath, "decoder");
        if (encoderInfo.FormatVersion != VaeMetadata.CurrentFormatVersion)
            throw new VaeModelException($"{encoderPath}: format version {encoderInfo.FormatVersion}; this library reads version {VaeMetadata.CurrentFormatVersion}.");
        if (encoderInfo.MismatchWith(decoderInfo) is string mismatch)
            throw new VaeModelException($"{encoderPath} and {decoderPath} are not a pair: {mismatch}.");

        VaeModelInfo info = encoderInfo;
        if (info.LatentSize <= 0 || info.InputSize <= 0 || info.Classes < 0)
            throw new VaeModelException($"{encoderPath}: metadata gives latent size {info.LatentSize}, input size {info.InputSize}, classes {info.Classes}; expected positive sizes.");
        string outputName = VaeGraphNames.DecoderOutput(info.OutputKind);
        CheckTensor(encoder.InputMetadata, "input", VaeGraphNames.X, info.InputShape, encoderPath);
        CheckTensor(encoder.OutputMetadata, "output", VaeGraphNames.Mean, [info.LatentSize], encoderPath);
        CheckTensor(encoder.OutputMetadata, "output", VaeGraphNames.Logvar, [info.LatentSize], encoderPath);
        CheckTensor(decoder.InputMetadata, "input", VaeGraphNames.Z, [info.LatentSize], decoderPath);
        CheckTensor(decoder.OutputMetadata, "output", outputName, info.InputShape, decoderPath);
        if (info.Classes > 0)
        {
            CheckTensor(encoder.InputMetadata, "input", VaeGraphNames.Y, [info.Classes], encoderPath);
            CheckTensor(decoder.InputMetadata, "input", VaeGraphNames.Y, [info.Classes], decoderPath);
        }
        int expectedInputs = info.Classes > 0 ? 2 : 1;
        if (encoder.InputMetadata.Count != expectedInputs || decoder.InputMetadata.Count != expectedInputs)
            throw new VaeModelException($"{encoderPath}/{decoderPath}: graphs take {encoder.InputMetadata.Count}/{decoder.InputMetadata.Count} inputs; expected {expectedInputs} each for a model with {info.Classes} classes.");
        return info;
    }

    /// <summary>
    /// Whether the decoder has the optional <see cref="VaeGraphNames.Probs"/> output; when it does, it
    /// must be a Bernoulli decoder's and have the input shape.
    /// </summary>
    /// <exception cref="VaeModelException">The output is there but does not fit.</exception>
    public static bool HasProbabilities(InferenceSession decoder, string decoderPath, VaeModelInfo info)
    {
        const string probs = VaeGraphNames.Probs;
        if (!decoder.OutputMetadata.ContainsKey(probs)) return false;
        if (info.OutputKind != OutputKind.Logits)
            throw new VaeModelException($"{decoderPath}: the graph has an output '{probs}' but its likelihood is {info.Likelihood} (output kind {info.OutputKind}); '{probs}' belongs to Bernoulli decoders.");
        CheckTensor(decoder.OutputMetadata, "output", probs, info.InputShape, decoderPath);
        return true;
    }

    /// <summary>
    /// The per-pixel log-variance of a Gaussian decoder with a learned variance (an output <c>logvar</c> of the input
    /// shape that does not depend on z), read once by decoding z = 0 and z = 1; null when the decoder has no such output.
    /// </summary>
    /// <exception cref="VaeModelException">The output is there but is not a Gaussian decoder's, does not fit, depends on z or is not finite.</exception>
    public static float[]? PixelLogvar(InferenceSession decoder, string decoderPath, VaeModelInfo info)
    {
        const string logvar = VaeGraphNames.Logvar;
        if (!decoder.OutputMetadata.ContainsKey(logvar)) return null;
        if (info.OutputKind != OutputKind.Mean)
            throw new VaeModelException($"{decoderPath}: the graph has an output '{logvar}' but its likelihood is {info.Likelihood} (output kind {info.OutputKind}); a per-pixel '{logvar}' belongs to Gaussian decoders.");
        CheckTensor(decoder.OutputMetadata, "output", logvar, info.InputShape, decoderPath);
        float[] atZero = DecodeOne(decoder, info, 0f, logvar), atOne = DecodeOne(decoder, info, 1f, logvar);
        if (!atZero.AsSpan().SequenceEqual(atOne))
            throw new VaeModelException($"{decoderPath}: output '{logvar}' changes with z; this library supports a learned per-pixel log-variance that does not depend on z.");
        if (Array.FindIndex(atZero, v => !float.IsFinite(v)) is int bad and >= 0)
            throw new VaeModelException($"{decoderPath}: output '{logvar}' holds {atZero[bad]} at value {bad}; expected finite log-variances.");
        return atZero;
    }

    /// <summary>
    /// Runs both graphs once on a batch of one zero input (class 0 for conditional models) and checks every output they
    /// declare for this library: a graph whose metadata and declared shapes fit but which fails when run, or computes
    /// outputs of other shapes (a damaged node or initializer), is refused here, naming its file, instead of failing in
    /// the first Encode or Decode.
    /// </summary>
    /// <exception cref="VaeModelException">A graph fails on the zero input, or an output has another shape than declared.</exception>
    public static void SmokeRun(InferenceSession encoder, string encoderPath, InferenceSession decoder, string decoderPath, VaeModelInfo info)
    {
        var x = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>([1, .. info.InputShape]);
        var z = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>([1, info.LatentSize]);
        Run(encoder, encoderPath, VaeGraphNames.X, x, info, [VaeGraphNames.Mean, VaeGraphNames.Logvar], [1, info.LatentSize]);
        string[] outputs = [.. new[] { VaeGraphNames.DecoderOutput(info.OutputKind), VaeGraphNames.Probs, VaeGraphNames.Logvar }
                                .Where(decoder.OutputMetadata.ContainsKey).Distinct()];
        Run(decoder, decoderPath, VaeGraphNames.Z, z, info, outputs, [1, .. info.InputShape]);
    }

    private static void Run(InferenceSession session, string path, string inputName, Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float> input, VaeModelInfo info, string[] outputs, int[] shape)
    {
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(inputName, input) };
        if (info.Classes > 0)
        {
            var y = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>([1, info.Classes]);
            y[0, 0] = 1f;
            inputs.Add(NamedOnnxValue.CreateFromTensor(VaeGraphNames.Y, y));
        }
        try
        {
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(inputs, outputs);
            foreach (DisposableNamedOnnxValue result in results)
            {
                if (result.Value is not Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> tensor)
                    throw new VaeModelException($"{path}: output '{result.Name}' is not a float tensor when the graph runs.");
                if (!tensor.Dimensions.SequenceEqual(shape))
                    throw new VaeModelException($"{path}: output '{result.Name}' has shape [{string.Join(",", tensor.Dimensions.ToArray())}] when the graph runs on one input; " +
                                                $"it declares [batch,{string.Join(",", shape[1..])}]. The graph is damaged.");
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw new VaeModelException($"{path}: the graph loads but fails when run on one zero input ({e.Message.Trim()}); it is damaged.", e);
        }
    }

    // Runs the decoder once on z = (value, …, value) (class 0 for conditional models) and returns output `name`.
    private static float[] DecodeOne(InferenceSession decoder, VaeModelInfo info, float value, string name)
    {
        var z = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(Enumerable.Repeat(value, info.LatentSize).ToArray(), [1, info.LatentSize]);
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(VaeGraphNames.Z, z) };
        if (info.Classes > 0)
        {
            var y = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>([1, info.Classes]);
            y[0, 0] = 1f;
            inputs.Add(NamedOnnxValue.CreateFromTensor(VaeGraphNames.Y, y));
        }
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = decoder.Run(inputs, [name]);
        return results[0].AsTensor<float>().ToArray();
    }

    /// <summary>
    /// The graph's metadata_props. ONNX Runtime's managed wrapper reads the model's strings (producer, graph name,
    /// description, metadata) on first access and fails with a NullReferenceException on some damaged models.
    /// </summary>
    /// <exception cref="VaeModelException">The metadata cannot be read.</exception>
    private static Dictionary<string, string> CustomMetadata(InferenceSession session, string path)
    {
        try
        {
            return session.ModelMetadata.CustomMetadataMap;
        }
        catch (Exception e) when (e is NullReferenceException or OnnxRuntimeException or ArgumentException or System.Text.DecoderFallbackException)
        {
            throw new VaeModelException($"{path}: the graph's metadata cannot be read ({e.GetType().Name}: {e.Message}); the file is damaged.", e);
        }
    }

    private static void CheckGraph(InferenceSession session, string path, string expected)
    {
        string graph = CustomMetadata(session, path).GetValueOrDefault(VaeMetadata.Graph, "");
        if (graph != expected)
            throw new VaeModelException($"{path}: metadata '{VaeMetadata.Graph}' is '{graph}', expected '{expected}' (were the files swapped?).");
    }

    /// <summary>The graph has a float tensor <paramref name="name"/> of shape [batch, ...<paramref name="sampleShape"/>] (symbolic batch allowed).</summary>
    private static void CheckTensor(IReadOnlyDictionary<string, NodeMetadata> tensors, string kind, string name, int[] sampleShape, string path)
    {
        if (!tensors.TryGetValue(name, out NodeMetadata? node))
            throw new VaeModelException($"{path}: the graph has no {kind} '{name}' (its {kind}s: {string.Join(", ", tensors.Keys)}).");
        if (node.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            throw new VaeModelException($"{path}: {kind} '{name}' holds {node.ElementDataType}, expected Float.");
        int[] dims = node.Dimensions;
        bool fits = dims.Length == sampleShape.Length + 1 && dims[0] <= 0 && dims.Skip(1).SequenceEqual(sampleShape);
        if (!fits)
            throw new VaeModelException($"{path}: {kind} '{name}' has shape [{string.Join(",", dims.Select((d, i) => d > 0 ? d.ToString() : i == 0 ? "batch" : "?"))}], expected [batch,{string.Join(",", sampleShape)}] (from the metadata).");
    }
}
