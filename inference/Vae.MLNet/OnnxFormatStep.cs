using System.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// How a fitted VAE step is saved. ML.NET keeps ModelSaveContext/ModelLoadContext internal, so a transformer from
/// outside ML.NET cannot write its own format. This step is saved as an equivalent chain of ML.NET's own transforms:
/// <c>CopyColumns(x ← input)</c> (with <see cref="VaeEmbeddingOptions.NormalizeInput"/>: <c>CopyColumns(vae_raw ← input)</c> →
/// <c>ApplyOnnxModel(<see cref="NormalizationGraph"/>: vae_raw → x)</c>) → <c>ApplyOnnxModel(encoder.onnx: x → mean, logvar)</c> →
/// <c>Expression(output ← mean, "x => x")</c> or <c>Concatenate(output ← mean, logvar)</c> → <c>DropColumns(x, mean, logvar)</c>;
/// for a conditional model also <c>MapValueToKey(class ← label, keys 0 … C − 1 in order)</c> → <c>MapKeyToVector(y ← class)</c>
/// before the encoder, so y is the one-hot class. (A label outside the classes becomes the missing key there, so the
/// reloaded step encodes it with y = 0 instead of refusing it as this library does.)
/// The encoder bytes are stored inside the .zip, so the .zip is all a user ships (an encoder whose weights are ONNX
/// external data gets them embedded first, <see cref="SelfContainedOnnx"/>); loading needs only ML.NET and
/// Microsoft.ML.OnnxTransformer (not this library). The reloaded step runs through ML.NET's ApplyOnnxModel: the same
/// numbers, but one ONNX Runtime call per row (no batching) and ML.NET's default session options.
/// </summary>
internal static class OnnxFormatStep
{
    /// <summary>Graph names of the exported encoder (<see cref="VaeGraphNames"/>) and the column of the class key.</summary>
    internal const string EncoderInput = VaeGraphNames.X, EncoderLabels = VaeGraphNames.Y, EncoderMean = VaeGraphNames.Mean,
                          EncoderLogvar = VaeGraphNames.Logvar, ClassKey = "vae_class_key";

    private static readonly MLContext Context = new(seed: 0);

    /// <summary>The ML.NET chain equivalent to <paramref name="step"/>, its graphs passed to ApplyOnnxModel as bytes (no
    /// temporary files). The caller owns (disposes) it.</summary>
    /// <exception cref="VaeModelException">The encoder keeps weights outside its folder (see <see cref="SelfContainedOnnx"/>).</exception>
    public static TransformerChain<ITransformer> Build(VaeEmbeddingTransformer step)
    {
        if (step.Kind is not (VaeEmbeddingKind.Mean or VaeEmbeddingKind.MeanAndLogVar))
            throw new NotSupportedException(
                $"A VAE step of kind {step.Kind} cannot be saved: ML.NET's ONNX transformer format holds only the encoder's own outputs " +
                $"(kinds {VaeEmbeddingKind.Mean} and {VaeEmbeddingKind.MeanAndLogVar}). Save the pipeline without this step and append it after loading.");
        bool normalize = step.Embedder.Normalization is not null;
        if (normalize && step.InputColumnName == EncoderInput)
            throw new NotSupportedException(
                $"Cannot save the VAE step: with {nameof(VaeEmbeddingOptions.NormalizeInput)}, the saved form writes the normalised values to a column '{EncoderInput}', " +
                $"which would replace the input column of that name. Rename the input column before this step.");
        if (step.ModelPath is null)
            throw new NotSupportedException("A VAE step made from an already loaded VaeModel cannot be saved: its encoder file is unknown. Use VaeEmbeddingOptions.ModelPath.");
        string[] outputs = EncoderOutputs(step);
        string[] temporaries = Temporaries(step);
        CheckNoClash(step, temporaries);

        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        if (step.Embedder.Normalization is { } normalization)
        {
            using var graph = new MemoryStream(NormalizationGraph.Build(normalization, step.Embedder.InputSize));
            chain = chain.Append(Context.Transforms.CopyColumns(NormalizationGraph.Input, step.InputColumnName))
                         .Append(Context.Transforms.ApplyOnnxModel([EncoderInput], [NormalizationGraph.Input], graph));
        }
        else if (step.InputColumnName != EncoderInput)
            chain = chain.Append(Context.Transforms.CopyColumns(EncoderInput, step.InputColumnName));
        var (input, classValues) = FitViews(step);
        string[] inputs = [EncoderInput];
        if (step.LabelColumnName is string label)
        {
            chain = chain.Append(Context.Transforms.Conversion.MapValueToKey(ClassKey, label, keyData: classValues))
                         .Append(Context.Transforms.Conversion.MapKeyToVector(EncoderLabels, ClassKey));
            inputs = [EncoderInput, EncoderLabels];
        }
        using (var encoder = new MemoryStream(SelfContainedOnnx.Read(Path.Combine(step.ModelPath, VaeModel.EncoderFile))))
            chain = chain.Append(Context.Transforms.ApplyOnnxModel(outputs, inputs, encoder));
        // ApplyOnnxModel types an output of shape [batch, L] as Vector<Single, 1, L>; this step declares Vector<Single, L>.
        // Concatenating two columns, and the identity Expression on one, both yield the flat type.
        chain = step.Kind == VaeEmbeddingKind.Mean
            ? chain.Append(Context.Transforms.Expression(step.OutputColumnName, "x => x", EncoderMean))
            : chain.Append(Context.Transforms.Concatenate(step.OutputColumnName, outputs));
        chain = chain.Append(Context.Transforms.DropColumns(temporaries));
        return new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)chain.Fit(input)).ToArray());
    }

    /// <summary>The encoder outputs the saved chain fetches: mean, and logvar only for <see cref="VaeEmbeddingKind.MeanAndLogVar"/>.</summary>
    private static string[] EncoderOutputs(VaeEmbeddingTransformer step) =>
        step.Kind == VaeEmbeddingKind.Mean ? [EncoderMean] : [EncoderMean, EncoderLogvar];

    /// <summary>
    /// The columns the saved chain makes and then drops: the encoder outputs it fetches, x when the input column has
    /// another name, and for conditional steps the class key and y; never the step's own output column.
    /// </summary>
    private static string[] Temporaries(VaeEmbeddingTransformer step) =>
        EncoderOutputs(step)
            .Concat(step.InputColumnName != EncoderInput ? [EncoderInput] : [])
            .Concat(step.Embedder.Normalization is not null ? [NormalizationGraph.Input] : [])
            .Concat(step.LabelColumnName is not null ? [ClassKey, EncoderLabels] : [])
            .Where(name => name != step.OutputColumnName)
            .ToArray();

    /// <summary>
    /// A user column named like one of <paramref name="temporaries"/> would be overwritten and dropped by the reloaded
    /// chain. Only the columns the chain really makes count: a kind-Mean step fetches no logvar, so a user column
    /// 'logvar' passes through it.
    /// </summary>
    private static void CheckNoClash(VaeEmbeddingTransformer step, string[] temporaries)
    {
        foreach (string name in temporaries)
        {
            if (step.FittedSchema.GetColumnOrNull(name) is not null)
                throw new NotSupportedException(
                    $"Cannot save the VAE step: the saved form uses '{name}' as a temporary column, and the input data has a column of that name, " +
                    "which the reloaded pipeline would drop. Rename that column before this step.");
        }
    }

    /// <summary>
    /// What the chain is fitted with: an empty view with only the input (and label) column, enough for its estimators
    /// to check types; for a conditional step also the classes 0 … C − 1 in the label column's type and in order, the
    /// keys of MapValueToKey (class c → key c + 1).
    /// </summary>
    private static (IDataView Input, IDataView? Classes) FitViews(VaeEmbeddingTransformer step) => step.LabelColumnName is not string label
        ? (Empty<InputRow>(step), null)
        : step.FittedSchema[label].Type.RawType switch
        {
            Type t when t == typeof(float) => LabelledViews<float>(step),
            Type t when t == typeof(double) => LabelledViews<double>(step),
            Type t when t == typeof(int) => LabelledViews<int>(step),
            _ => LabelledViews<long>(step),
        };

    private static (IDataView Input, IDataView? Classes) LabelledViews<T>(VaeEmbeddingTransformer step) where T : INumber<T> =>
        (Empty<InputRow<T>>(step),
         Context.Data.LoadFromEnumerable(Enumerable.Range(0, step.Embedder.Classes).Select(c => new ValueRow<T> { Value = T.CreateChecked(c) })));

    private static IDataView Empty<TRow>(VaeEmbeddingTransformer step) where TRow : class
    {
        SchemaDefinition definition = SchemaDefinition.Create(typeof(TRow));
        definition[0].ColumnName = step.InputColumnName;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, step.Embedder.InputSize);
        if (step.LabelColumnName is string label) definition[1].ColumnName = label;
        return Context.Data.LoadFromEnumerable(Array.Empty<TRow>(), definition);
    }

    private sealed class InputRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class InputRow<T>
    {
        public float[] Features { get; set; } = [];
        public T Label { get; set; } = default!;
    }

    private sealed class ValueRow<T>
    {
        public T Value { get; set; } = default!;
    }
}
