namespace Vae.Inference.Tests;

/// <summary>The vectorised logistic function against a double-precision computation.</summary>
public class SigmoidTests
{
    private static double Exact(float x) => 1 / (1 + Math.Exp(-(double)x));

    /// <summary>Both kernels: AVX-512 (where the machine has it) and the portable <see cref="System.Numerics.Vector{T}"/> one.</summary>
    public static TheoryData<bool> Kernels => new() { true, false };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Matches_double_precision_within_three_ulps_of_one_over_the_logit_range(bool wide)
    {
        var random = new Random(1);
        float[] x = Enumerable.Range(0, 100_003).Select(_ => (float)(random.NextDouble() * 200 - 100)).ToArray();
        var y = new float[x.Length];
        Sigmoid.Apply(x, y, wide);
        double worstAbsolute = 0, worstRelative = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Exact(x[i]), error = Math.Abs(y[i] - exact);
            worstAbsolute = Math.Max(worstAbsolute, error);
            if (exact > 1e-30) worstRelative = Math.Max(worstRelative, error / exact);
        }
        Assert.InRange(worstAbsolute, 0, 3 * 5.96e-8);   // 3 ulps of values just below 1
        Assert.InRange(worstRelative, 0, 1e-6);          // small probabilities keep their relative precision
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Special_values_keep_their_meaning(bool wide)
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, 1000f, -1000f, 88.7f, -88.7f];
        var y = new float[x.Length];
        Sigmoid.Apply(x, y, wide);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1f, y[1]);
        Assert.InRange(y[2], 0f, 1e-37f);
        Assert.Equal(0.5f, y[3]);
        Assert.Equal(1f, y[4]);
        Assert.InRange(y[5], 0f, 1e-37f);
        Assert.Equal(1f, y[6]);
        Assert.InRange(y[7], 0f, 1e-37f);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_value_gives_the_same_result_at_any_position_and_in_place(bool wide)
    {
        var random = new Random(2);
        float[] x = Enumerable.Range(0, 37).Select(_ => (float)(random.NextDouble() * 30 - 15)).ToArray();
        var whole = new float[x.Length];
        Sigmoid.Apply(x, whole, wide);
        for (int start = 0; start < x.Length; start++)
        {
            float[] piece = x[start..];
            Sigmoid.Apply(piece, piece, wide);
            Assert.Equal(whole[start..], piece);
        }
    }
}
