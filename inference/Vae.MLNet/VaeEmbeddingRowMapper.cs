using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// Single-row mapping for <see cref="PredictionEngine{TSrc, TDst}"/>: each row is encoded on its own (batch of one) the
/// first time its output is read, so a prediction costs one ONNX Runtime call and no read-ahead.
/// </summary>
internal sealed class VaeEmbeddingRowMapper : IRowToRowMapper
{
    private readonly VaeEmbeddingTransformer transformer;
    private readonly int inputColumnIndex;
    private readonly int? labelColumnIndex;

    public VaeEmbeddingRowMapper(VaeEmbeddingTransformer transformer, DataViewSchema inputSchema)
    {
        this.transformer = transformer;
        InputSchema = inputSchema;
        inputColumnIndex = VaeEmbeddingSchema.CheckInput(inputSchema, transformer.InputColumnName, transformer.Embedder.InputSize);
        labelColumnIndex = transformer.LabelColumnName is { } label ? VaeEmbeddingSchema.CheckLabel(inputSchema, label, transformer.Embedder.Classes) : null;
        OutputSchema = VaeEmbeddingSchema.AddOutput(inputSchema, transformer.OutputColumnName, transformer.Embedder.OutputSize);
    }

    public DataViewSchema InputSchema { get; }
    public DataViewSchema OutputSchema { get; }
    private int OutputColumnIndex => InputSchema.Count;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        ArgumentNullException.ThrowIfNull(dependingColumns);
        var needed = new SortedSet<int>();
        foreach (DataViewSchema.Column column in dependingColumns)
        {
            if (column.Index != OutputColumnIndex)
            {
                needed.Add(column.Index);
                continue;
            }
            needed.Add(inputColumnIndex);
            if (labelColumnIndex is int label) needed.Add(label);
        }
        return needed.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new Row(this, input, activeColumns.Any(c => c.Index == OutputColumnIndex));
    }

    /// <summary>The output row: pass-through getters from the input row, plus the lazily computed output column.</summary>
    private sealed class Row(VaeEmbeddingRowMapper mapper, DataViewRow input, bool outputActive) : DataViewRow
    {
        private readonly EmbeddingBatch? batch = outputActive ? new EmbeddingBatch(mapper.transformer.Embedder, capacity: 1) : null;
        private readonly ValueGetter<VBuffer<float>>? featuresGetter = outputActive ? input.GetGetter<VBuffer<float>>(input.Schema[mapper.inputColumnIndex]) : null;
        private readonly ValueGetter<DataViewRowId>? idGetter = outputActive ? input.GetIdGetter() : null;
        private readonly Func<int>? labelReader = outputActive && mapper.labelColumnIndex is int label
            ? LabelReader.Create(input, input.Schema[label], mapper.transformer.Embedder.Classes) : null;
        private VBuffer<float> features;
        private long computedPosition = -1;

        public override DataViewSchema Schema => mapper.OutputSchema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == mapper.OutputColumnIndex ? outputActive : input.IsColumnActive(input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != mapper.OutputColumnIndex) return input.GetGetter<TValue>(input.Schema[column.Index]);
            if (!outputActive) throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row was made.");
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>; a getter of {typeof(TValue).Name} was asked for.");
            int size = mapper.transformer.Embedder.OutputSize;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                EnsureComputed();
                var editor = VBufferEditor.Create(ref value, size);
                batch!.Outputs.AsSpan(0, size).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        private void EnsureComputed()
        {
            if (computedPosition == input.Position && input.Position >= 0) return;
            VaeEmbedder embedder = mapper.transformer.Embedder;
            featuresGetter!(ref features);
            if (features.Length != embedder.InputSize)
                throw new InvalidOperationException($"input column has {features.Length} values, expected {embedder.InputSize}.");
            features.CopyTo(batch!.Inputs);
            batch.Positions[0] = input.Position;
            if (labelReader is not null) batch.Labels[0] = labelReader();
            if (batch.Ids.Length > 0) idGetter!(ref batch.Ids[0]);
            embedder.Run(batch, 1);
            computedPosition = input.Position;
        }
    }
}
