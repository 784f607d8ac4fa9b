using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Vae.Inference;

/// <summary>Argument checks shared by every operation: lengths, batch sizes, finite values, labels, masks.</summary>
internal static class InputChecks
{
    /// <summary>The batch size of <paramref name="length"/> values of <paramref name="sampleSize"/> each.</summary>
    public static int BatchOf(int length, int sampleSize, string name)
    {
        if (length == 0)
            throw new ArgumentException($"{name} is empty (batch of 0); expected a positive multiple of {sampleSize} values (batch × {sampleSize}).", name);
        if (length % sampleSize != 0)
            throw new ArgumentException($"length of {name} is {length}, expected a positive multiple of {sampleSize} (batch × {sampleSize}); {length} is not.", name);
        return length / sampleSize;
    }

    /// <summary>Throws when <paramref name="actual"/> ≠ <paramref name="expected"/>; <paramref name="meaning"/> is formatted only then, so passing checks allocate nothing.</summary>
    public static void Length(int actual, int expected, string name, [InterpolatedStringHandlerArgument(nameof(actual), nameof(expected))] ref FailureMessage meaning)
    {
        if (actual != expected)
            throw new ArgumentException($"length of {name} is {actual}, expected {expected} ({meaning.ToStringAndClear()}).", name);
    }

    /// <summary>
    /// <paramref name="a"/> × <paramref name="b"/> × <paramref name="c"/> (all positive) as the length of one buffer; throws naming
    /// <paramref name="name"/> when it exceeds the largest .NET array, where int arithmetic would overflow. <paramref name="factors"/>
    /// says what is multiplied (a constant, so passing checks allocate nothing).
    /// </summary>
    public static int Total(string name, string factors, long a, long b, long c = 1)
    {
        double total = (double)a * b * c;
        if (total > Array.MaxLength)
            throw new ArgumentException($"{name}: {factors} = {a} × {b}{(c == 1 ? "" : $" × {c}")} = {total:0} values, more than the largest .NET array ({Array.MaxLength}); split the work into smaller batches.", name);
        return (int)(a * b * c);
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} is {value}; expected a positive number.", name);
    }

    /// <summary>Throws naming the index of the first NaN or infinity in <paramref name="values"/>.</summary>
    public static void Finite(ReadOnlySpan<float> values, string name)
    {
        int index = IndexOfNonFinite(values);
        if (index >= 0)
            throw new ArgumentException($"{name}[{index}] is {values[index]}; expected finite values (set {nameof(VaeSessionOptions)}.{nameof(VaeSessionOptions.AllowNonFinite)} to pass NaN/Infinity through).", name);
    }

    /// <summary>
    /// Index of the first NaN or ±Infinity, or −1. x·0 is 0 exactly for finite x and NaN otherwise, and NaN survives
    /// addition, so the fast pass accumulates x·0 by fused multiply-adds (one instruction per vector) over blocks of
    /// 64 vectors with four independent accumulators and no branch per vector, 16 lanes wide where AVX-512 is there;
    /// a block whose sum is not 0 holds the first bad value, which the exact search below then finds.
    /// </summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        ref float start = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated)
        {
            const int width = 16, block = 64 * width;
            for (; i <= values.Length - block; i += block)
            {
                Vector512<float> a = default, b = default, c = default, d = default;
                for (int j = i; j < i + block; j += 4 * width)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref start, (nuint)j), Vector512<float>.Zero, a);
                    b = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref start, (nuint)(j + width)), Vector512<float>.Zero, b);
                    c = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref start, (nuint)(j + 2 * width)), Vector512<float>.Zero, c);
                    d = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref start, (nuint)(j + 3 * width)), Vector512<float>.Zero, d);
                }
                if (!Vector512.EqualsAll(a + b + c + d, Vector512<float>.Zero)) break; // the first bad value is in this block
            }
            for (; i <= values.Length - width; i += width) // short spans (batch 1: 784 values) and what is left after the blocks
                if (!Vector512.EqualsAll(Vector512.LoadUnsafe(ref start, (nuint)i) * Vector512<float>.Zero, Vector512<float>.Zero)) break;
        }
        else if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count, block = 64 * width;
            for (; i <= values.Length - block; i += block)
            {
                Vector<float> a = default, b = default, c = default, d = default;
                for (int j = i; j < i + block; j += 4 * width)
                {
                    a = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref start, (nuint)j), Vector<float>.Zero, a);
                    b = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref start, (nuint)(j + width)), Vector<float>.Zero, b);
                    c = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref start, (nuint)(j + 2 * width)), Vector<float>.Zero, c);
                    d = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref start, (nuint)(j + 3 * width)), Vector<float>.Zero, d);
                }
                if (!Vector.EqualsAll(a + b + c + d, Vector<float>.Zero)) break;
            }
            for (; i <= values.Length - width; i += width)
                if (!Vector.EqualsAll(Vector.LoadUnsafe(ref start, (nuint)i) * Vector<float>.Zero, Vector<float>.Zero)) break;
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Labels of a conditional model: one per sample, each in [0, classes); none for other models.</summary>
    public static void Labels(ReadOnlySpan<int> labels, int batch, int classes, string name)
    {
        if (classes == 0)
        {
            if (!labels.IsEmpty)
                throw new ArgumentException($"{name} holds {labels.Length} labels but this model is not conditional (0 classes); pass none.", name);
            return;
        }
        if (labels.Length != batch)
            throw new ArgumentException($"length of {name} is {labels.Length}, expected {batch} (one class label per sample; this model is conditional with {classes} classes).", name);
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"{name}[{i}] is {labels[i]}; expected a class in [0, {classes}).", name);
    }
}

/// <summary>An interpolated message built only when a length check fails (<see cref="InputChecks.Length"/>).</summary>
[InterpolatedStringHandler]
internal ref struct FailureMessage
{
    private DefaultInterpolatedStringHandler text;

    public FailureMessage(int literalLength, int formattedCount, int actual, int expected, out bool shouldAppend)
    {
        shouldAppend = actual != expected;
        text = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => text.AppendFormatted(value);

    public string ToStringAndClear() => text.ToStringAndClear();
}
