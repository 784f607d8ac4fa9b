using Vae.Inference;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae export</c> on the tiny run <see cref="TestModel.Run"/>: with and without the decoder's <c>probs</c> output.</summary>
public class ExportCommandTests
{
    private static string Export(params string[] extra)
    {
        string model = Path.Combine(RepoPaths.NewTempFolder(), "model");
        var (exit, output, error) = CliRun.Run(["export", "--checkpoint", TestModel.Run, "--out", model, "--data", RepoPaths.RequireMnist(), .. extra]);
        Assert.True(exit == 0, $"vae export exited with {exit}: {error}");
        Assert.Contains("max |diff|", output);
        return model;
    }

    [Fact]
    public void Default_export_gives_the_decoder_a_probs_output_and_logits_only_leaves_it_out()
    {
        string withProbs = Export(), logitsOnly = Export("--logits-only");
        using var a = VaeModel.Load(withProbs);
        using var b = VaeModel.Load(logitsOnly);
        Assert.True(a.DecoderHasProbabilities);
        Assert.False(b.DecoderHasProbabilities);
        Assert.Contains("--logits-only", File.ReadAllText(Path.Combine(logitsOnly, "model.json")));

        // Same checkpoint, so the same probabilities whichever side computes σ (ONNX Runtime or the library).
        var z = new float[5 * a.LatentSize];
        VaeModel.SampleLatent(z, seed: 2);
        float[] expected = b.Decode(z), actual = a.Decode(z);
        Assert.Equal(expected.Length, actual.Length);
        Assert.InRange(expected.Zip(actual).Max(p => MathF.Abs(p.First - p.Second)), 0f, 1e-6f);
    }
}
