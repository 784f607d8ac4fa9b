namespace Vae.Inference.Tests;

/// <summary>The library against TorchSharp (reference.json written by the exporter) and against a raw ONNX Runtime call.</summary>
public class ReferenceParityTests
{
    private const float Tolerance = 1e-5f;
    private static ReferenceData Ref => ReferenceModel.Data;

    [Fact]
    public void Encode_matches_torchsharp_mean_and_logvar()
    {
        using var model = ReferenceModel.Load();
        var (mean, logvar) = model.Encode(ReferenceModel.Flat(Ref.X));
        Assert.InRange(ReferenceModel.MaxDiff(mean, ReferenceModel.Flat(Ref.Mean)), 0, Tolerance);
        Assert.InRange(ReferenceModel.MaxDiff(logvar, ReferenceModel.Flat(Ref.Logvar)), 0, Tolerance);
    }

    [Fact]
    public void Decode_returns_sigmoid_of_torchsharp_logits()
    {
        using var model = ReferenceModel.Load();
        Assert.Equal("logits", Ref.DecoderOutput);
        Assert.Equal(OutputKind.Logits, model.Info.OutputKind);
        float[] fromZ = model.Decode(ReferenceModel.Flat(Ref.Z));
        float[] fromMean = model.Decode(ReferenceModel.Flat(Ref.Mean));
        Assert.InRange(ReferenceModel.MaxDiff(fromZ, ReferenceModel.Flat(Ref.DecodedZ).Select(ReferenceModel.Sigmoid).ToArray()), 0, Tolerance);
        Assert.InRange(ReferenceModel.MaxDiff(fromMean, ReferenceModel.Flat(Ref.DecodedMean).Select(ReferenceModel.Sigmoid).ToArray()), 0, Tolerance);
    }

    [Fact]
    public void Reconstruct_matches_torchsharp_decode_of_the_mean()
    {
        using var model = ReferenceModel.Load();
        float[] reconstruction = model.Reconstruct(ReferenceModel.Flat(Ref.X));
        Assert.InRange(ReferenceModel.MaxDiff(reconstruction, ReferenceModel.Flat(Ref.DecodedMean).Select(ReferenceModel.Sigmoid).ToArray()), 0, Tolerance);
    }

    [Fact]
    public void Reconstruction_error_is_the_bernoulli_nll_of_torchsharp_logits_at_the_mean()
    {
        using var model = ReferenceModel.Load();
        float[] errors = model.ReconstructionError(ReferenceModel.Flat(Ref.X));
        Assert.Equal(Ref.X.Length, errors.Length);
        for (int r = 0; r < Ref.X.Length; r++)
        {
            // −log p(x|l) = Σ max(l, 0) − l·x + log(1 + e^−|l|), in double from TorchSharp's logits of the decoded mean.
            double expected = 0;
            for (int i = 0; i < Ref.X[r].Length; i++)
            {
                double l = Ref.DecodedMean[r][i], x = Ref.X[r][i];
                expected += Math.Max(l, 0) - l * x + Math.Log(1 + Math.Exp(-Math.Abs(l)));
            }
            // Each term moves by at most |σ(l) − x| ≤ 1 per unit of logit, so 784 logits within 1e-5 of TorchSharp
            // bound the difference of the sum by 784 · 1e-5.
            Assert.InRange(Math.Abs(errors[r] - expected), 0, Ref.X[r].Length * Tolerance);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Span_path_equals_a_raw_onnx_runtime_call_bit_for_bit(int batch)
    {
        using var model = ReferenceModel.Load();
        float[] x = ReferenceModel.Flat(Ref.X).AsSpan(0, batch * model.InputSize).ToArray();
        var mean = new float[batch * model.LatentSize];
        var logvar = new float[batch * model.LatentSize];
        model.Encode(x, mean, logvar);
        var raw = RawOrt.Run(VaeModel.EncoderFile, "x", x, model.InputSize);
        Assert.Equal(raw["mean"], mean);
        Assert.Equal(raw["logvar"], logvar);

        var decoded = new float[batch * model.InputSize];
        model.Decode(mean, decoded);
        var rawDecoded = RawOrt.Run(VaeModel.DecoderFile, "z", mean, model.LatentSize);
        Assert.True(model.DecoderHasProbabilities);
        Assert.Equal(rawDecoded[VaeGraphNames.Probs], decoded);
        Assert.InRange(ReferenceModel.MaxDiff(decoded, rawDecoded["logits"].Select(ReferenceModel.Sigmoid).ToArray()), 0, 1e-6f);
    }

    [Fact]
    public void Metadata_describes_the_reference_model()
    {
        using var model = ReferenceModel.Load();
        Assert.Equal(784, model.InputSize);
        Assert.Equal(8, model.LatentSize);
        Assert.Equal(0, model.Classes);
        Assert.Equal("bernoulli", model.Info.Likelihood);
        Assert.Equal([1, 28, 28], model.Info.ImageShape);
        Assert.True(model.IsAllocationFree);
    }
}
