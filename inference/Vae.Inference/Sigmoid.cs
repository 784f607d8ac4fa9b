using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Vae.Inference;

/// <summary>
/// The logistic function σ(x) = 1 / (1 + e^(−x)) over a span, in place or not, in single precision: e^(−x) by
/// Cody–Waite range reduction (−x = n·ln 2 + r, |r| ≤ ln 2 / 2) and the Cephes polynomial for e^r, scaled by 2^n
/// through the exponent bits. Maximum error about 2e-7 absolute (a few ulps near 1); NaN stays NaN, σ(+∞) = 1,
/// σ(−∞) ≈ 6e-39. With AVX-512 it runs 16 lanes and replaces the division by a 14-bit reciprocal refined by one
/// Newton step; elsewhere it uses <see cref="Vector{T}"/> and a division. Decode uses it for pairs whose decoder has no
/// <c>probs</c> output (exported without it; otherwise ONNX Runtime computes σ inside the run); it is used instead of
/// <c>TensorPrimitives.Sigmoid</c> of System.Numerics.Tensors because it takes less time with AVX-512.
/// Every element goes through the same vector code (the tail in a padded stack buffer), so a value's result
/// does not depend on its position or on the batch size.
/// </summary>
internal static class Sigmoid
{
    /// <summary>Whether the AVX-512 kernel runs.</summary>
    internal static readonly bool Wide = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Writes σ(<paramref name="x"/>[i]) to <paramref name="y"/>[i]; the two may be the same memory.</summary>
    public static void Apply(ReadOnlySpan<float> x, Span<float> y) => Apply(x, y, Wide);

    /// <summary>As <see cref="Apply(ReadOnlySpan{float}, Span{float})"/>; <paramref name="wide"/> false takes the <see cref="Vector{T}"/> kernel (tests run both).</summary>
    internal static void Apply(ReadOnlySpan<float> x, Span<float> y, bool wide)
    {
        wide &= Wide;
        if (y.Length < x.Length)
            throw new ArgumentException($"length of {nameof(y)} is {y.Length}, expected at least {x.Length} (the length of {nameof(x)}).", nameof(y));
        int width = wide ? Vector512<float>.Count : Vector<float>.Count, i = 0;
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float target = ref MemoryMarshal.GetReference(y);
        if (wide)
            for (; i <= x.Length - width; i += width) Of(Vector512.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        else
            for (; i <= x.Length - width; i += width) Of(Vector.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        int rest = x.Length - i;
        if (rest == 0) return;
        Span<float> padded = stackalloc float[width];
        padded.Clear();
        x[i..].CopyTo(padded);
        if (wide) Of(Vector512.Create<float>(padded)).CopyTo(padded);
        else Of(new Vector<float>(padded)).CopyTo(padded);
        padded[..rest].CopyTo(y[i..]);
    }

    // The two kernels below are the same arithmetic; keep them in step.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Of(Vector512<float> x)
    {
        // t = −x clamped so that 2^n stays a normal float: e^t ∈ [1.6e-38, 1.7e38].
        Vector512<float> t = Vector512.MinNative(Vector512.MaxNative(-x, Vector512.Create(-87f)), Vector512.Create(88f));
        Vector512<float> n = Vector512.Round(t * Vector512.Create(Log2E));
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), t);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        Vector512<float> p = Vector512.Create(P0);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        Vector512<float> twoToN = ((Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23).AsSingle();
        Vector512<float> d = Vector512.FusedMultiplyAdd(p, twoToN, Vector512<float>.One);
        Vector512<float> inverse = Avx512F.Reciprocal14(d);
        inverse *= Vector512.FusedMultiplyAdd(-d, inverse, Vector512.Create(2f)); // Newton: 14 → ~24 bits
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), inverse, x);    // NaN in, NaN out
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Of(Vector<float> x)
    {
        Vector<float> t = Vector.MinNative(Vector.MaxNative(-x, new Vector<float>(-87f)), new Vector<float>(88f));
        Vector<float> n = Vector.Round(t * new Vector<float>(Log2E));
        Vector<float> r = Vector.FusedMultiplyAdd(n, new Vector<float>(-Ln2High), t);
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(-Ln2Low), r);
        Vector<float> p = new(P0);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(P1));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(P2));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(P3));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(P4));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(P5));
        p = Vector.FusedMultiplyAdd(p, r * r, r + Vector<float>.One);
        Vector<float> twoToN = Vector.AsVectorSingle((Vector.ConvertToInt32(n) + new Vector<int>(127)) << 23);
        Vector<float> sigmoid = Vector<float>.One / Vector.FusedMultiplyAdd(p, twoToN, Vector<float>.One);
        return Vector.ConditionalSelect(Vector.Equals(x, x), sigmoid, x);
    }

    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f; // ln 2 = high + low, high exact in few bits
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
        P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f; // Cephes expf: e^r ≈ 1 + r + r²·P(r)
}
