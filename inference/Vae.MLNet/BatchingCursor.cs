using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// The cursor of <see cref="VaeEmbeddingDataView"/>: when the output column is active it reads up to a batch of rows
/// from the source cursor, encodes them with one ONNX Runtime call, then serves the buffered rows one by one. When the
/// output is inactive it is a thin pass-through.
/// </summary>
internal sealed class BatchingCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor source;
    private readonly VaeEmbeddingDataView parent;
    private readonly bool outputActive;
    private readonly EmbeddingBatch? batch;
    private readonly ValueGetter<VBuffer<float>>? featuresGetter;
    private readonly ValueGetter<DataViewRowId>? idGetter;
    private readonly Func<int>? labelReader;
    private readonly Dictionary<int, ColumnBuffer> passThrough = [];
    private readonly DataViewRowId[] ids = [];
    private readonly long[] batches = [];
    private VBuffer<float> features;
    private int count, slot = -1;
    private long position = -1;

    /// <param name="requested">Indices of the input columns the caller asked for (served from the batch buffers).</param>
    public BatchingCursor(VaeEmbeddingDataView parent, DataViewRowCursor source, bool outputActive, IReadOnlySet<int> requested)
    {
        this.parent = parent;
        this.source = source;
        this.outputActive = outputActive;
        if (!outputActive) return;
        int capacity = parent.Transformer.BatchSize;
        batch = new EmbeddingBatch(parent.Transformer.Embedder, capacity);
        featuresGetter = source.GetGetter<VBuffer<float>>(source.Schema[parent.InputColumnIndex]);
        idGetter = source.GetIdGetter();
        if (parent.LabelColumnIndex is int label) labelReader = LabelReader.Create(source, source.Schema[label], parent.Transformer.Embedder.Classes);
        ids = new DataViewRowId[capacity];
        batches = new long[capacity];
        foreach (int index in requested) passThrough[index] = ColumnBuffer.Create(source, source.Schema[index], capacity);
    }

    public override DataViewSchema Schema => parent.Schema;

    public override long Position => position;

    public override long Batch => outputActive ? batches[Math.Max(slot, 0)] : source.Batch;

    public override bool MoveNext()
    {
        if (!outputActive)
        {
            if (!source.MoveNext()) return false;
            position++;
            return true;
        }
        if (slot + 1 < count)
        {
            slot++;
            position++;
            return true;
        }
        if (!FillBatch()) return false;
        slot = 0;
        position++;
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter()
    {
        if (!outputActive) return source.GetIdGetter();
        return (ref DataViewRowId value) => value = ids[slot];
    }

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index == parent.OutputColumnIndex ? outputActive
        : outputActive ? passThrough.ContainsKey(column.Index) : source.IsColumnActive(source.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index == parent.OutputColumnIndex)
        {
            if (!outputActive) throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was made.");
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>; a getter of {typeof(TValue).Name} was asked for.");
            int size = parent.Transformer.Embedder.OutputSize;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, size);
                batch!.Outputs.AsSpan(slot * size, size).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }
        if (!outputActive) return source.GetGetter<TValue>(source.Schema[column.Index]);
        if (!passThrough.TryGetValue(column.Index, out ColumnBuffer? buffer))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was made.");
        return buffer.MakeGetter(() => slot) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type.RawType.Name}; a getter of {typeof(TValue).Name} was asked for.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) source.Dispose();
        base.Dispose(disposing);
    }

    private bool FillBatch()
    {
        int inputSize = parent.Transformer.Embedder.InputSize;
        count = 0;
        while (count < batch!.Capacity && source.MoveNext())
        {
            featuresGetter!(ref features);
            if (features.Length != inputSize)
                throw new InvalidOperationException($"row {source.Position}: input column has {features.Length} values, expected {inputSize}.");
            features.CopyTo(batch.Inputs.AsSpan(count * inputSize, inputSize));
            batch.Positions[count] = source.Position;
            if (labelReader is not null) batch.Labels[count] = labelReader();
            idGetter!(ref ids[count]);
            batches[count] = source.Batch;
            foreach (ColumnBuffer buffer in passThrough.Values) buffer.Capture(count);
            count++;
        }
        if (count == 0) return false;
        if (batch.Ids.Length > 0) ids.AsSpan(0, count).CopyTo(batch.Ids);
        parent.Transformer.Embedder.Run(batch, count);
        return true;
    }
}
