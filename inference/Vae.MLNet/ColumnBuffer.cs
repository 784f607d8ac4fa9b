using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// Holds one input column's values for the rows of a batch, so a cursor can read ahead a batch of rows for the encoder
/// and still serve every pass-through column row by row afterwards.
/// </summary>
internal abstract class ColumnBuffer
{
    /// <summary>Reads the source cursor's current value into <paramref name="slot"/>.</summary>
    public abstract void Capture(int slot);

    /// <summary>A getter serving the value stored in slot <paramref name="currentSlot"/>().</summary>
    public abstract Delegate MakeGetter(Func<int> currentSlot);

    /// <summary>A buffer of <paramref name="capacity"/> values for <paramref name="column"/> of <paramref name="source"/>.</summary>
    public static ColumnBuffer Create(DataViewRowCursor source, DataViewSchema.Column column, int capacity)
    {
        Type raw = column.Type.RawType;
        Type buffer = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(VectorBuffer<>).MakeGenericType(raw.GetGenericArguments()[0])
            : typeof(ValueBuffer<>).MakeGenericType(raw);
        return (ColumnBuffer)Activator.CreateInstance(buffer, source, column, capacity)!;
    }

    /// <summary>Values copied by assignment: numbers, bool, text (ReadOnlyMemory is immutable), keys, dates, row ids.</summary>
    private sealed class ValueBuffer<T>(DataViewRowCursor source, DataViewSchema.Column column, int capacity) : ColumnBuffer
    {
        private readonly ValueGetter<T> getter = source.GetGetter<T>(column);
        private readonly T[] values = new T[capacity];

        public override void Capture(int slot) => getter(ref values[slot]);

        public override Delegate MakeGetter(Func<int> currentSlot) => (ValueGetter<T>)((ref T value) => value = values[currentSlot()]);
    }

    /// <summary>Vectors: each slot owns its buffer (reused across batches); readers get a copy, never the slot's arrays.</summary>
    private sealed class VectorBuffer<T>(DataViewRowCursor source, DataViewSchema.Column column, int capacity) : ColumnBuffer
    {
        private readonly ValueGetter<VBuffer<T>> getter = source.GetGetter<VBuffer<T>>(column);
        private readonly VBuffer<T>[] values = new VBuffer<T>[capacity];

        public override void Capture(int slot) => getter(ref values[slot]);

        public override Delegate MakeGetter(Func<int> currentSlot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => values[currentSlot()].CopyTo(ref value));
    }
}
