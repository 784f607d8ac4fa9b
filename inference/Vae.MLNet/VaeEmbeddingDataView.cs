using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// The lazy result of <see cref="VaeEmbeddingTransformer.Transform"/>: the input's columns plus the output column,
/// computed in batches by <see cref="BatchingCursor"/> while a cursor scans it.
/// </summary>
internal sealed class VaeEmbeddingDataView : IDataView
{
    private readonly IDataView input;

    public VaeEmbeddingDataView(VaeEmbeddingTransformer transformer, IDataView input)
    {
        Transformer = transformer;
        this.input = input;
        InputColumnIndex = VaeEmbeddingSchema.CheckInput(input.Schema, transformer.InputColumnName, transformer.Embedder.InputSize);
        LabelColumnIndex = transformer.LabelColumnName is { } label ? VaeEmbeddingSchema.CheckLabel(input.Schema, label, transformer.Embedder.Classes) : null;
        Schema = VaeEmbeddingSchema.AddOutput(input.Schema, transformer.OutputColumnName, transformer.Embedder.OutputSize);
        OutputColumnIndex = input.Schema.Count;
    }

    public VaeEmbeddingTransformer Transformer { get; }
    public int InputColumnIndex { get; }

    /// <summary>The label column of a conditional model, null for unconditional models.</summary>
    public int? LabelColumnIndex { get; }
    public int OutputColumnIndex { get; }
    public DataViewSchema Schema { get; }
    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (sourceColumns, requested, outputActive) = Split(columnsNeeded);
        return new BatchingCursor(this, input.GetRowCursor(sourceColumns, rand), outputActive, requested);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (sourceColumns, requested, outputActive) = Split(columnsNeeded);
        return input.GetRowCursorSet(sourceColumns, n, rand).Select(c => (DataViewRowCursor)new BatchingCursor(this, c, outputActive, requested)).ToArray();
    }

    /// <summary>Which input columns the source cursor must serve: the requested ones, plus the input (and label) column when the output is requested.</summary>
    private (List<DataViewSchema.Column> Source, HashSet<int> Requested, bool OutputActive) Split(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var requested = new HashSet<int>();
        bool outputActive = false;
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            if (column.Index == OutputColumnIndex) outputActive = true;
            else requested.Add(column.Index);
        }
        var source = requested.Select(i => input.Schema[i]).ToList();
        if (outputActive && !requested.Contains(InputColumnIndex)) source.Add(input.Schema[InputColumnIndex]);
        if (outputActive && LabelColumnIndex is int label && !requested.Contains(label)) source.Add(input.Schema[label]);
        return (source, requested, outputActive);
    }
}
