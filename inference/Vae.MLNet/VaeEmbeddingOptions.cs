using Vae.Inference;

namespace Vae.MLNet;

/// <summary>Settings of <see cref="VaeEmbeddingCatalog.VaeEmbedding(Microsoft.ML.TransformsCatalog, VaeEmbeddingOptions)"/>.</summary>
public sealed record VaeEmbeddingOptions
{
    /// <summary>Default number of rows encoded per ONNX Runtime call while scanning an IDataView.</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>Name of the output column (a known-size vector of Single).</summary>
    public required string OutputColumnName { get; init; }

    /// <summary>Name of the input column: a known-size vector of Single with the model's input size (784 for MNIST). Defaults to <see cref="OutputColumnName"/>.</summary>
    public string? InputColumnName { get; init; }

    /// <summary>
    /// Model folder with <c>encoder.onnx</c> and <c>decoder.onnx</c>. Each fitted transformer loads its own copy and owns
    /// its sessions. Exactly one of <see cref="ModelPath"/> and <see cref="Model"/> must be set. Only saving a pipeline
    /// whose model came from a folder is supported (the encoder bytes are read from it).
    /// </summary>
    public string? ModelPath { get; init; }

    /// <summary>
    /// An already loaded model, shared by every transformer fitted from this estimator. The caller keeps ownership: it must
    /// outlive those transformers and is not disposed by them.
    /// </summary>
    public VaeModel? Model { get; init; }

    /// <summary>
    /// Conditional models (metadata <c>vae.classes</c> &gt; 0): the column holding each row's class index 0 … classes − 1,
    /// a scalar Single, Double, Int32 or Int64 (not a key: convert keys back with <c>MapKeyToValue</c>). Must be null for
    /// unconditional models.
    /// </summary>
    public string? LabelColumnName { get; init; }

    /// <summary>What to write per row (default <see cref="VaeEmbeddingKind.Mean"/>).</summary>
    public VaeEmbeddingKind Kind { get; init; } = VaeEmbeddingKind.Mean;

    /// <summary>ONNX Runtime session settings used when loading from <see cref="ModelPath"/> (null: library defaults).</summary>
    public VaeSessionOptions? SessionOptions { get; init; }

    /// <summary>
    /// Rows encoded per ONNX Runtime call while scanning an IDataView (default 256). Single-row prediction always runs one row.
    /// At most the number of rows whose values fit one .NET array (about 2.7 million for 784 values a row); each cursor holds that many rows.
    /// </summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>
    /// The input column holds raw values: apply the model's recorded input normalisation
    /// (<see cref="VaeModelInfo.Normalization"/>, e.g. a standardisation fitted on the training data)
    /// to each row before encoding (default false: the column holds the model's inputs as they are). A model without a
    /// recorded normalisation is refused. Saved, the step applies it through a two-node ONNX graph of its own (ML.NET's
    /// transforms have none with given per-value offsets and divisors), stored in the saved model beside the encoder.
    /// </summary>
    public bool NormalizeInput { get; init; }

    /// <summary>Seed of ε for <see cref="VaeEmbeddingKind.Sample"/>.</summary>
    public int Seed { get; init; }

    internal string ResolvedInputColumnName => InputColumnName ?? OutputColumnName;

    /// <summary>Checks the settings; throws an <see cref="ArgumentException"/> naming the bad one.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName))
            throw new ArgumentException($"{nameof(OutputColumnName)} is '{OutputColumnName}'; expected a column name.", nameof(OutputColumnName));
        if (InputColumnName is not null && string.IsNullOrWhiteSpace(InputColumnName))
            throw new ArgumentException($"{nameof(InputColumnName)} is '{InputColumnName}'; expected a column name or null (same as the output).", nameof(InputColumnName));
        if (LabelColumnName is not null && string.IsNullOrWhiteSpace(LabelColumnName))
            throw new ArgumentException($"{nameof(LabelColumnName)} is '{LabelColumnName}'; expected a column name, or null for unconditional models.", nameof(LabelColumnName));
        if ((ModelPath is null) == (Model is null))
            throw new ArgumentException($"set exactly one of {nameof(ModelPath)} and {nameof(Model)}; found {(ModelPath is null ? "neither" : "both")}.", nameof(ModelPath));
        if (ModelPath is not null && string.IsNullOrWhiteSpace(ModelPath))
            throw new ArgumentException($"{nameof(ModelPath)} is '{ModelPath}'; expected a model folder.", nameof(ModelPath));
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"{nameof(Kind)} is {(int)Kind}; expected one of {string.Join(", ", Enum.GetNames<VaeEmbeddingKind>())}.", nameof(Kind));
        if (BatchSize < 1)
            throw new ArgumentException($"{nameof(BatchSize)} is {BatchSize}; expected at least 1.", nameof(BatchSize));
    }
}
