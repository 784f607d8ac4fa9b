using System.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// How a fitted VAE step is saved. ML.NET keeps ModelSaveContext/ModelLoadContext internal, so a transformer from
/// outside ML.NET cannot write its own format. This step is saved as an equivalent chain of ML.NET's own transforms:
/// <c>CopyColumns(x ← input)</c> → <c>ApplyOnnxModel(encoder.onnx: x → mean, logvar)</c> →
/// <c>Expression(output ← mean, "x => x")</c> or <c>Concatenate(output ← mean, logvar)</c> → <c>DropColumns(x, mean, logvar)</c>;
/// for a conditional model also <c>MapValueToKey(class ← label, keys 0 … C − 1 in order)</c> → <c>MapKeyToVector(y ← class)</c>
/// before the encoder, so y is the one-hot class. (A label outside the classes becomes the missing key there, so the
/// reloaded step encodes it with y = 0 instead of refusing it as this library does.)
/// The encoder bytes are stored inside the .zip, so the .zip is all a user ships; loading needs only ML.NET and
/// Microsoft.ML.OnnxTransformer (not this library). The reloaded step runs through ML.NET's ApplyOnnxModel: the same
/// numbers, but one ONNX Runtime call per row (no batching) and ML.NET's default session options.
/// </summary>
internal static class OnnxFormatStep
{
    /// <summary>Graph names of the exported encoder (see Vae.Training's VaeOnnxGraphs).</summary>
    internal const string EncoderInput = "x", EncoderLabels = "y", EncoderMean = "mean", EncoderLogvar = "logvar", ClassKey = "vae_class_key";

    private static readonly MLContext Context = new(seed: 0);

    /// <summary>The ML.NET chain equivalent to <paramref name="step"/>. The caller owns (disposes) it.</summary>
    public static TransformerChain<ITransformer> Build(VaeEmbeddingTransformer step)
    {
        if (step.Kind is not (VaeEmbeddingKind.Mean or VaeEmbeddingKind.MeanAndLogVar))
            throw new NotSupportedException(
                $"A VAE step of kind {step.Kind} cannot be saved: ML.NET's ONNX transformer format holds only the encoder's own outputs " +
                $"(kinds {VaeEmbeddingKind.Mean} and {VaeEmbeddingKind.MeanAndLogVar}). Save the pipeline without this step and append it after loading.");
        if (step.ModelPath is null)
            throw new NotSupportedException("A VAE step made from an already loaded VaeModel cannot be saved: its encoder file is unknown. Use VaeEmbeddingOptions.ModelPath.");
        CheckNoClash(step);

        string[] outputs = step.Kind == VaeEmbeddingKind.Mean ? [EncoderMean] : [EncoderMean, EncoderLogvar];
        var temporaries = new List<string>(outputs);
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        if (step.InputColumnName != EncoderInput)
        {
            chain = chain.Append(Context.Transforms.CopyColumns(EncoderInput, step.InputColumnName));
            temporaries.Add(EncoderInput);
        }
        var (input, classValues) = FitViews(step);
        string[] inputs = [EncoderInput];
        if (step.LabelColumnName is string label)
        {
            chain = chain.Append(Context.Transforms.Conversion.MapValueToKey(ClassKey, label, keyData: classValues))
                         .Append(Context.Transforms.Conversion.MapKeyToVector(EncoderLabels, ClassKey));
            temporaries.AddRange([ClassKey, EncoderLabels]);
            inputs = [EncoderInput, EncoderLabels];
        }
        string encoderPath = Path.Combine(step.ModelPath, VaeModel.EncoderFile);
        chain = chain.Append(Context.Transforms.ApplyOnnxModel(outputs, inputs, encoderPath));
        // ApplyOnnxModel types an output of shape [batch, L] as Vector<Single, 1, L>; this step declares Vector<Single, L>.
        // Concatenating two columns, and the identity Expression on one, both yield the flat type.
        chain = step.Kind == VaeEmbeddingKind.Mean
            ? chain.Append(Context.Transforms.Expression(step.OutputColumnName, "x => x", EncoderMean))
            : chain.Append(Context.Transforms.Concatenate(step.OutputColumnName, outputs));
        temporaries.Remove(step.OutputColumnName);
        chain = chain.Append(Context.Transforms.DropColumns(temporaries.ToArray()));
        return new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)chain.Fit(input)).ToArray());
    }

    /// <summary>The saved chain uses x, mean and logvar (conditional steps also y and the class key) as temporary columns and drops them: a user column of those names would be lost.</summary>
    private static void CheckNoClash(VaeEmbeddingTransformer step)
    {
        string[] temporaries = step.LabelColumnName is null
            ? [EncoderInput, EncoderMean, EncoderLogvar]
            : [EncoderInput, EncoderLabels, EncoderMean, EncoderLogvar, ClassKey];
        foreach (string name in temporaries)
        {
            if (name == step.InputColumnName || name == step.OutputColumnName) continue;
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
