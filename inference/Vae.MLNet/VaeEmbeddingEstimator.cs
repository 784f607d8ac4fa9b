using Microsoft.ML;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// The unfitted VAE step made by <see cref="VaeEmbeddingCatalog"/>. <see cref="GetOutputSchema"/> checks the input
/// column before any data flows; <see cref="Fit"/> checks it again with its vector size and returns a new
/// <see cref="VaeEmbeddingTransformer"/>, which the caller must dispose.
/// </summary>
public sealed class VaeEmbeddingEstimator : IEstimator<VaeEmbeddingTransformer>
{
    private readonly VaeEmbeddingOptions options;
    private readonly int inputSize, outputSize, classes;

    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="VaeModelException">The model folder is missing, corrupt or not a VAE pair.</exception>
    internal VaeEmbeddingEstimator(VaeEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        if (options.Model is VaeModel shared)
        {
            (inputSize, outputSize, classes) = Sizes(shared);
        }
        else
        {
            // Read the sizes now so GetOutputSchema works before Fit; each Fit loads its own sessions.
            using VaeModel probe = VaeModel.Load(options.ModelPath!, options.SessionOptions);
            (inputSize, outputSize, classes) = Sizes(probe);
        }
        CheckBatchSize(options.BatchSize, Math.Max(inputSize, outputSize));
    }

    /// <summary>The settings this estimator was made with.</summary>
    public VaeEmbeddingOptions Options => options;

    /// <summary>
    /// The output shape: the input columns plus a known-size vector of Single. Throws when the input column is missing,
    /// is not a vector, or is not of Single. (SchemaShape carries no vector sizes; <see cref="Fit"/> checks the size.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column (or a conditional model's label column) is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        VaeEmbeddingSchema.CheckInput(inputSchema, options.ResolvedInputColumnName, inputSize);
        if (options.LabelColumnName is not null) VaeEmbeddingSchema.CheckLabel(inputSchema, options.LabelColumnName, classes);
        return VaeEmbeddingSchema.AddOutput(inputSchema, options.OutputColumnName, outputSize);
    }

    /// <summary>Checks the input column (name, type and size) and returns a new transformer. The caller owns (disposes) it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing, of the wrong type or of the wrong size, or a
    /// conditional model's label column is missing or of the wrong type.</exception>
    public VaeEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        VaeEmbeddingSchema.CheckInput(input.Schema, options.ResolvedInputColumnName, inputSize);
        if (options.LabelColumnName is not null) VaeEmbeddingSchema.CheckLabel(input.Schema, options.LabelColumnName, classes);
        if (options.Model is VaeModel shared) return new VaeEmbeddingTransformer(shared, ownsModel: false, options, input.Schema);
        VaeModel model = VaeModel.Load(options.ModelPath!, options.SessionOptions);
        return new VaeEmbeddingTransformer(model, ownsModel: true, options, input.Schema);
    }

    /// <summary>Each cursor holds BatchSize rows of input and output in single arrays: refuse a size they cannot have.</summary>
    private static void CheckBatchSize(int batchSize, int rowValues)
    {
        if ((long)batchSize * rowValues > Array.MaxLength)
            throw new ArgumentException(
                $"{nameof(VaeEmbeddingOptions.BatchSize)} is {batchSize}; {batchSize} rows × {rowValues} values exceed the largest .NET array ({Array.MaxLength}), " +
                $"expected at most {Array.MaxLength / rowValues} for this model.", nameof(VaeEmbeddingOptions.BatchSize));
    }

    private (int Input, int Output, int Classes) Sizes(VaeModel model) =>
        (model.InputSize, new VaeEmbedder(model, options.Kind, options.Seed, options.LabelColumnName, options.ResolvedInputColumnName, options.NormalizeInput).OutputSize, model.Info.Classes);
}
