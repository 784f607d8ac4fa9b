using System.Text.Json;
using TorchSharp;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// TorchSharp outputs for fixed inputs, stored beside an exported pair as <c>reference.json</c>, so the
/// inference library can be tested against TorchSharp without loading TorchSharp.
/// </summary>
/// <param name="X">Encoder inputs, [N][InputSize] (real samples when the export had them).</param>
/// <param name="Mean">TorchSharp posterior means for <see cref="X"/>.</param>
/// <param name="Logvar">TorchSharp posterior log-variances for <see cref="X"/>.</param>
/// <param name="DecoderOutput">Name of the decoder's graph output (<c>logits</c> or <c>mean</c>).</param>
/// <param name="DecodedMean">Raw decoder output (before any sigmoid) for z = <see cref="Mean"/>.</param>
/// <param name="Z">Latent samples drawn from N(0, I) with seed 1.</param>
/// <param name="DecodedZ">Raw decoder output for <see cref="Z"/>.</param>
/// <param name="Y">Conditional models: the one-hot labels [N][Classes] used with every input above (real labels when the
/// export had them, else class i mod Classes); null for unconditional models.</param>
/// <param name="DecodedLogvar">Models with a learned per-pixel log-variance: the decoder's <c>logvar</c> output for
/// z = <see cref="Mean"/> (the same row N times); null otherwise.</param>
public sealed record ReferenceOutputs(
    float[][] X, float[][] Mean, float[][] Logvar, string DecoderOutput, float[][] DecodedMean, float[][] Z, float[][] DecodedZ,
    float[][]? Y = null, float[][]? DecodedLogvar = null)
{
    /// <summary>File name inside a model folder.</summary>
    public const string FileName = "reference.json";

    /// <summary>Computes the reference for <paramref name="count"/> inputs taken from <paramref name="samples"/> (or random ones).</summary>
    /// <param name="labels">Class indices (int64) of <paramref name="samples"/> for conditional models; class i mod Classes when null.</param>
    public static ReferenceOutputs Compute(VaeModule model, Tensor? samples, int count = 8, Tensor? labels = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "expected at least one reference row.");
        VaeGraphLayout layout = model.GraphLayout;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using var generator = new Generator(1);
            long[] shape = [count, .. model.Config.InputShape.Select(d => (long)d)];
            bool real = samples is not null && samples.shape[0] >= count;
            Tensor x = real ? samples!.narrow(0, 0, count).reshape(shape) : rand(shape, generator: generator);
            Tensor? y = null;
            if (layout.Classes > 0)
            {
                Tensor classes = real && labels is not null ? labels.narrow(0, 0, count) : arange(count, dtype: int64) % layout.Classes;
                y = OnnxExportVerifier.OneHot(classes, layout.Classes);
            }
            var (mean, logvar) = model.Encode(x, y);
            Tensor z = randn([count, model.Config.LatentSize], generator: generator);
            float[][]? decodedLogvar = layout.PixelLogvar is Tensor p ? Rows(p.reshape(1, -1).expand(count, -1)) : null;
            return new ReferenceOutputs(
                Rows(x.reshape(count, -1)), Rows(mean), Rows(logvar),
                VaeOnnxGraphs.DecoderOutputName(model.Config.Likelihood),
                Rows(model.Decode(mean, y).reshape(count, -1)), Rows(z), Rows(model.Decode(z, y).reshape(count, -1)),
                y is null ? null : Rows(y), decodedLogvar);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Writes the reference as JSON (atomically).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Compact));

    private static readonly JsonSerializerOptions Compact = new(VaeConfig.JsonOptions) { WriteIndented = false };

    /// <summary>Reads a reference written by <see cref="Save"/>.</summary>
    public static ReferenceOutputs Load(string path) =>
        JsonSerializer.Deserialize<ReferenceOutputs>(File.ReadAllText(path), VaeConfig.JsonOptions)
        ?? throw new InvalidDataException($"{path} is empty.");

    private static float[][] Rows(Tensor t)
    {
        float[] flat = t.contiguous().data<float>().ToArray();
        int rows = (int)t.shape[0], width = flat.Length / rows;
        return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * width, width).ToArray()).ToArray();
    }
}
