namespace Vae.Inference.Tests;

/// <summary>Conditional models (metadata vae.classes &gt; 0): the library builds the one-hot input y from labels.</summary>
public class ConditionalModelTests
{
    private const int D = 4, C = 3, L = 2;
    private static readonly float[] Wm = Weights((D + C) * L, 1), Wl = Weights((D + C) * L, 2), V = Weights((L + C) * D, 3);

    private static float[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>[a, onehot(label)] · W for one sample, W row-major [a.Length + C, width].</summary>
    private static float[] Affine(float[] a, int label, float[] w, int width)
    {
        float[] input = [.. a, .. Enumerable.Range(0, C).Select(c => c == label ? 1f : 0f)];
        return Enumerable.Range(0, width).Select(j => Enumerable.Range(0, input.Length).Sum(i => input[i] * w[i * width + j])).ToArray();
    }

    private static VaeModel Load(int? probsSize = null) => VaeModel.Load(TinyOnnx.WriteConditionalPair(D, C, L, Wm, Wl, V, probsSize));

    [Fact]
    public void A_decoder_with_probs_gives_the_same_results_as_one_with_logits_only()
    {
        // Decode fetches the graph's σ (ONNX Runtime's) instead of taking its own; likelihoods still use the logits.
        using var logitsOnly = Load();
        using var withProbs = Load(probsSize: D);
        Assert.False(logitsOnly.DecoderHasProbabilities);
        Assert.True(withProbs.DecoderHasProbabilities);
        float[] x = [0.1f, 0.9f, 0.3f, 0.5f, 0.7f, 0.2f, 0.0f, 1.0f, 0.4f, 0.4f, 0.6f, 0.3f];
        int[] labels = [2, 0, 1];
        var (mean, _) = withProbs.Encode(x, labels);
        Assert.Equal(logitsOnly.Decode(mean, labels), withProbs.Decode(mean, labels), new Tolerance(1e-6f));
        Assert.Equal(logitsOnly.Reconstruct(x, labels), withProbs.Reconstruct(x, labels), new Tolerance(1e-6f));
        Assert.Equal(logitsOnly.ReconstructionError(x, labels), withProbs.ReconstructionError(x, labels));
        var expected = logitsOnly.ScoreAnomalies(x, samples: 5, seed: 3, labels: labels);
        var actual = withProbs.ScoreAnomalies(x, samples: 5, seed: 3, labels: labels);
        Assert.Equal(expected.Select(s => s.NegativeElbo), actual.Select(s => s.NegativeElbo));
        Assert.Equal(expected.Select(s => s.NegativeLogLikelihood), actual.Select(s => s.NegativeLogLikelihood));
    }

    [Fact]
    public void A_probs_output_of_the_wrong_size_is_refused()
    {
        var e = Assert.Throws<VaeModelException>(() => Load(probsSize: D + 1));
        // ONNX Runtime's shape inference leaves the clashing dimension unknown (σ keeps 4 values, the graph declares 5)
        Assert.Contains("output 'probs' has shape [batch,?], expected [batch,4]", e.Message);
    }

    [Fact]
    public void Encode_and_decode_feed_the_labels_as_one_hot_y()
    {
        using var model = Load();
        Assert.Equal(C, model.Classes);
        float[] x = [0.1f, 0.9f, 0.3f, 0.5f, 0.7f, 0.2f, 0.0f, 1.0f];
        int[] labels = [2, 0];
        var (mean, logvar) = model.Encode(x, labels);
        float[] decoded = model.Decode(mean, labels);
        for (int b = 0; b < 2; b++)
        {
            float[] sample = x[(b * D)..((b + 1) * D)];
            Assert.Equal(Affine(sample, labels[b], Wm, L), mean[(b * L)..((b + 1) * L)], new Tolerance(1e-6f));
            Assert.Equal(Affine(sample, labels[b], Wl, L), logvar[(b * L)..((b + 1) * L)], new Tolerance(1e-6f));
            float[] logits = Affine(mean[(b * L)..((b + 1) * L)], labels[b], V, D);
            Assert.Equal(logits.Select(ReferenceModel.Sigmoid).ToArray(), decoded[(b * D)..((b + 1) * D)], new Tolerance(1e-6f));
        }
    }

    [Fact]
    public void Generate_per_class_of_more_values_than_an_array_holds_is_an_argument_error()
    {
        // classes × perClass wrapped in int arithmetic (ToArray of int.MaxValue labels failed first, naming nothing)
        using var model = Load();
        var e = Assert.Throws<ArgumentException>(() => model.GeneratePerClass(int.MaxValue / C + 1));
        Assert.Equal("perClass", e.ParamName);
        Assert.Contains("classes × perClass × input size", e.Message);
    }

    [Fact]
    public void Generate_per_class_decodes_seeded_samples_with_each_label()
    {
        using var model = Load();
        float[] images = model.GeneratePerClass(2, seed: 4);
        Assert.Equal(C * 2 * D, images.Length);
        var z = new float[C * 2 * L];
        VaeModel.SampleLatent(z, seed: 4);
        Assert.Equal(model.Decode(z, [0, 0, 1, 1, 2, 2]), images);
    }

    [Fact]
    public void Every_operation_accepts_labels()
    {
        using var model = Load();
        float[] x = [0.1f, 0.9f, 0.3f, 0.5f];
        Assert.Equal(3 * D, model.Interpolate(x, x, 3, Interpolation.Spherical, [1]).Length);
        Assert.True(float.IsFinite(model.ScoreAnomalies(x, samples: 4, labels: [1])[0].NegativeElbo));
        Assert.Equal(model.Reconstruct(x, [1]), model.Denoise(x, labels: [1]));
        Assert.Equal(D, model.Impute(x, [true, false, true, false], labels: [1]).Length);
    }

    [Fact]
    public void Missing_or_out_of_range_labels_are_rejected()
    {
        using var model = Load();
        float[] x = new float[2 * D];
        var e = Assert.Throws<ArgumentException>(() => model.Encode(x));
        Assert.Contains("is 0, expected 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Encode(x, [0, 3]));
        Assert.Contains("labels[1] is 3; expected a class in [0, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => model.Generate(2));
    }

    [Fact]
    public void Interpolating_towards_a_batch_of_another_size_blames_to_not_the_labels()
    {
        using var model = Load();
        float[] from = new float[D], to = new float[2 * D];
        // to's labels were checked first: "length of labels is 1, expected 2", though the labels fit from and the pairs
        var e = Assert.Throws<ArgumentException>(() => model.Interpolate(from, to, 3, labels: [1]));
        Assert.Equal("to", e.ParamName);
        Assert.Contains($"length of to is {2 * D}, expected {D}", e.Message);
    }

    private sealed class Tolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => MathF.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }
}
