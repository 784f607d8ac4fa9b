using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// A fitted VAE step: adds a known-size Single vector column computed from the input column by the VAE encoder
/// (see <see cref="VaeEmbeddingKind"/>). Scans of an <see cref="IDataView"/> encode <see cref="BatchSize"/> rows per
/// ONNX Runtime call; <see cref="PredictionEngine{TSrc, TDst}"/> encodes one row per call. Safe to share between
/// threads (each cursor and each prediction engine has its own buffers).
/// </summary>
/// <remarks>
/// <para>Disposal: the transformer holds native ONNX Runtime sessions. When it was fitted from a model folder it owns
/// them: dispose it (or the <see cref="TransformerChain{TLastTransformer}"/> holding it, which disposes its members)
/// when done. When it was fitted with a caller-loaded <see cref="VaeModel"/>, the caller keeps ownership.</para>
/// <para>Saving: <c>mlContext.Model.Save</c> writes this step in ML.NET's own ONNX transformer format (the encoder
/// bytes go inside the .zip); see <see cref="OnnxFormatStep"/>. Only models you trust should be loaded: an ONNX file
/// is code run by ONNX Runtime.</para>
/// </remarks>
public sealed class VaeEmbeddingTransformer : ITransformer, IDisposable
{
    private readonly bool ownsModel;
    private bool disposed;

    internal VaeEmbeddingTransformer(VaeModel model, bool ownsModel, VaeEmbeddingOptions options, DataViewSchema fittedSchema)
    {
        this.ownsModel = ownsModel;
        OutputColumnName = options.OutputColumnName;
        InputColumnName = options.ResolvedInputColumnName;
        LabelColumnName = options.LabelColumnName;
        ModelPath = options.ModelPath;
        BatchSize = options.BatchSize;
        FittedSchema = fittedSchema;
        Embedder = new VaeEmbedder(model, options.Kind, options.Seed, options.LabelColumnName, options.ResolvedInputColumnName, options.NormalizeInput);
    }

    /// <summary>Name of the column this step adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the column the encoder reads.</summary>
    public string InputColumnName { get; }

    /// <summary>Conditional models: the column of class indices the encoder reads with each row; null otherwise.</summary>
    public string? LabelColumnName { get; }

    /// <summary>What the output column holds.</summary>
    public VaeEmbeddingKind Kind => Embedder.Kind;

    /// <summary>Values per row in the output column.</summary>
    public int OutputSize => Embedder.OutputSize;

    /// <summary>Rows encoded per ONNX Runtime call while scanning.</summary>
    public int BatchSize { get; }

    /// <summary>The model folder, or null when the model was passed in already loaded.</summary>
    public string? ModelPath { get; }

    /// <summary>The model in use (owned by this transformer only when it was loaded from <see cref="ModelPath"/>).</summary>
    public VaeModel Model => Embedder.Model;

    /// <summary>Always true: the step maps each row on its own, so prediction engines can use it.</summary>
    public bool IsRowToRowMapper => true;

    internal VaeEmbedder Embedder { get; }

    /// <summary>The schema this transformer was fitted on (used when saving).</summary>
    internal DataViewSchema FittedSchema { get; }

    /// <summary>The input schema plus the output column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not a Vector&lt;Single, input size&gt;, or a
    /// conditional model's label column is missing or of the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        VaeEmbeddingSchema.CheckInput(inputSchema, InputColumnName, Embedder.InputSize);
        if (LabelColumnName is not null) VaeEmbeddingSchema.CheckLabel(inputSchema, LabelColumnName, Embedder.Classes);
        return VaeEmbeddingSchema.AddOutput(inputSchema, OutputColumnName, OutputSize);
    }

    /// <summary>A lazy view of <paramref name="input"/> with the output column; nothing is encoded until a cursor reads it.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(disposed, this);
        return new VaeEmbeddingDataView(this, input);
    }

    /// <summary>The single-row mapper used by prediction engines.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ObjectDisposedException.ThrowIf(disposed, this);
        return new VaeEmbeddingRowMapper(this, inputSchema);
    }

    /// <summary>Writes this step as an equivalent chain of ML.NET's own transforms (see <see cref="OnnxFormatStep"/>).</summary>
    /// <exception cref="NotSupportedException">The kind is Sample or ReconstructionError, or the model was not loaded from a folder.</exception>
    /// <exception cref="VaeModelException">The encoder keeps weights as ONNX external data outside its folder.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using TransformerChain<ITransformer> chain = OnnxFormatStep.Build(this);
        ((ICanSaveModel)chain).Save(ctx);   // ML.NET stores the graphs' bytes in the saved model here
    }

    /// <summary>Releases the ONNX Runtime sessions when this transformer owns them.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (ownsModel) Model.Dispose();
    }
}
