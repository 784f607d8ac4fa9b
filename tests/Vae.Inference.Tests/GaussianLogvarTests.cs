namespace Vae.Inference.Tests;

/// <summary>
/// Gaussian decoders with a <c>logvar</c> output (hand-written pairs): a constant per-pixel log-variance is read at load
/// and used by the likelihoods; one that changes with z is refused rather than silently misused.
/// </summary>
public class GaussianLogvarTests
{
    private const int Input = 4, Latent = 2;
    private static readonly float[] MeanWeights = [0.5f, -0.2f, 0.1f, 0.3f, -0.4f, 0.2f, 0.3f, 0.1f];
    private static readonly float[] LogvarWeights = [-0.1f, 0.05f, 0.2f, -0.3f, 0.1f, 0.1f, -0.2f, 0.0f];
    private static readonly float[] DecoderWeights = [1f, -0.5f, 0.25f, 0.75f, -1f, 0.5f, 0.1f, 0.2f];
    private static readonly float[] PixelLogvar = [-1.5f, 0.2f, 0.7f, -0.3f];

    [Fact]
    public void A_constant_logvar_output_is_read_once_and_is_the_likelihoods_variance()
    {
        string folder = TinyOnnx.WriteGaussianPair(Input, Latent, MeanWeights, LogvarWeights, DecoderWeights, new float[Latent * Input], PixelLogvar);
        using VaeModel vae = VaeModel.Load(folder);
        Assert.Equal(PixelLogvar, vae.PixelLogvar.ToArray());

        float[] x = [0.2f, 0.9f, -0.4f, 0.6f];
        var (mean, _) = vae.Encode(x);
        float[] decoded = vae.Decode(mean);
        double expected = 0;
        for (int i = 0; i < Input; i++)
            expected += 0.5 * ((x[i] - decoded[i]) * (double)(x[i] - decoded[i]) * Math.Exp(-PixelLogvar[i]) + PixelLogvar[i] + Math.Log(2 * Math.PI));
        Assert.Equal(expected, vae.ReconstructionError(x)[0], 5);
    }

    [Fact]
    public void A_logvar_output_that_changes_with_z_is_refused()
    {
        float[] dependsOnZ = Enumerable.Repeat(0.1f, Latent * Input).ToArray();
        string folder = TinyOnnx.WriteGaussianPair(Input, Latent, MeanWeights, LogvarWeights, DecoderWeights, dependsOnZ, PixelLogvar);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("output 'logvar' changes with z; this library supports a learned per-pixel log-variance that does not depend on z", e.Message);
    }

    [Fact]
    public void A_bernoulli_model_has_no_pixel_logvar()
    {
        using VaeModel vae = ReferenceModel.Load();
        Assert.True(vae.PixelLogvar.IsEmpty);
    }
}
