using System.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// Reads a conditional model's class label from a row: a scalar Single, Double, Int32 or Int64 column holding the class
/// index 0 … classes − 1. (Key columns are refused by <see cref="VaeEmbeddingSchema.CheckLabel(DataViewSchema, string, int)"/>:
/// a key's index follows the order values were met, not the class.)
/// </summary>
internal static class LabelReader
{
    /// <summary>A function returning the class index of <paramref name="row"/>'s current row.</summary>
    /// <exception cref="InvalidOperationException">(when called) The value is not a whole number from 0 to classes − 1.</exception>
    public static Func<int> Create(DataViewRow row, DataViewSchema.Column column, int classes)
    {
        Type raw = column.Type.RawType;
        if (raw == typeof(float)) return Reader<float>(row, column, classes);
        if (raw == typeof(double)) return Reader<double>(row, column, classes);
        if (raw == typeof(int)) return Reader<int>(row, column, classes);
        if (raw == typeof(long)) return Reader<long>(row, column, classes);
        throw new ArgumentOutOfRangeException(nameof(column), $"Label column '{column.Name}' is {column.Type}; expected {VaeEmbeddingSchema.ExpectedLabel(classes)}.");
    }

    private static Func<int> Reader<T>(DataViewRow row, DataViewSchema.Column column, int classes) where T : INumber<T>
    {
        ValueGetter<T> getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            double label = double.CreateChecked(value);
            if (label < 0 || label >= classes || label != Math.Floor(label))
                throw new InvalidOperationException($"row {row.Position}: label column '{column.Name}' holds {label}; expected a class index from 0 to {classes - 1}.");
            return (int)label;
        };
    }
}
