using TorchSharp;
using Vae.Training.Models;
using Vae.Inference;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Runs an exported VAE pair in ONNX Runtime and compares every output with the TorchSharp forward pass on
/// the same inputs: random inputs and, when given, real samples (with their labels for conditional models),
/// at batch 1 and batch 37. Decoders are checked on random z and on the encoder's means.
/// </summary>
public static class OnnxExportVerifier
{
    /// <summary>Batch sizes every export is verified at.</summary>
    public static IReadOnlyList<int> BatchSizes => OnnxParity.BatchSizes;

    /// <summary>Relative part of the tolerance; see <see cref="OnnxParity.RelativeTolerance"/>.</summary>
    public const double RelativeTolerance = OnnxParity.RelativeTolerance;

    /// <summary>Returns the largest absolute difference found.</summary>
    /// <param name="realSamples">Optional real inputs [N, ...InputShape] (or [N, ...] of as many values per row, read row-major); the first rows are used.</param>
    /// <param name="realLabels">Class indices [N] (int64) of <paramref name="realSamples"/>, for conditional models; random labels when null.</param>
    /// <exception cref="ArgumentException"><paramref name="realSamples"/> does not have the model's number of values per row, or
    /// <paramref name="realLabels"/> is not an int64 vector with one label per sample.</exception>
    /// <exception cref="OnnxVerificationException">ONNX Runtime refuses a graph, or an output differs by more than
    /// <paramref name="tolerance"/> + <see cref="RelativeTolerance"/>·|expected|; the message names the output and the difference.</exception>
    public static double Verify(VaeModule model, byte[] encoderOnnx, byte[] decoderOnnx, double tolerance, Tensor? realSamples = null, Tensor? realLabels = null) =>
        Verify(model, encoderOnnx, decoderOnnx, tolerance, realSamples, realLabels, "encoder graph", "decoder graph");

    /// <summary>As the public overload; <paramref name="encoderName"/> and <paramref name="decoderName"/> say in an error
    /// which graph ONNX Runtime refused (<see cref="VaeExporter.Check"/> names the files).</summary>
    internal static double Verify(VaeModule model, byte[] encoderOnnx, byte[] decoderOnnx, double tolerance, Tensor? realSamples, Tensor? realLabels,
                                  string encoderName, string decoderName)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckRealInputs(model.Config, realSamples, realLabels);
        VaeGraphLayout layout = model.GraphLayout;
        using var encoder = OnnxParity.Open(encoderOnnx, encoderName);
        using var decoder = OnnxParity.Open(decoderOnnx, decoderName);
        string decoderOutput = VaeOnnxGraphs.DecoderOutputName(model.Config.Likelihood);
        // the outputs the graph has, logits [+ probs] or mean [+ logvar], each compared with TorchSharp
        bool probabilities = decoder.OutputMetadata.ContainsKey(VaeGraphNames.Probs);
        string? second = layout.PixelLogvar is not null ? VaeGraphNames.Logvar : probabilities ? VaeGraphNames.Probs : null;
        string[] decoderOutputs = second is null ? [decoderOutput] : [decoderOutput, second];
        using var threads = TorchThreads.Single();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var generator = new Generator(1234);
            double worst = 0;
            foreach (int batch in BatchSizes)
            {
                var inputs = new List<(string Kind, Tensor X, Tensor? Labels)>
                {
                    ("random", randn([batch, .. model.Config.InputShape.Select(d => (long)d)], generator: generator).sigmoid(), null),
                };
                if (realSamples is not null && realSamples.shape[0] >= batch)
                    inputs.Add(("real", realSamples.narrow(0, 0, batch).reshape([batch, .. model.Config.InputShape.Select(d => (long)d)]), layout.Classes > 0 ? realLabels?.narrow(0, 0, batch) : null));
                foreach (var (kind, x, labels) in inputs)
                {
                    using var scope = NewDisposeScope();
                    Tensor? y = layout.Classes > 0 ? OneHot(labels ?? randint(layout.Classes, [batch], dtype: int64, generator: generator), layout.Classes) : null;
                    var (mean, logvar) = model.Encode(x, y);
                    Tensor xGraph = x.reshape([batch, .. layout.EncoderInputShape.Select(d => (long)d)]);
                    var encoded = OnnxParity.Run(encoder, WithLabel((VaeGraphNames.X, xGraph), y), [VaeGraphNames.Mean, VaeGraphNames.Logvar]);
                    worst = Math.Max(worst, OnnxParity.Compare($"encoder output 'mean' ({kind} x, batch {batch})", mean, encoded[0], tolerance));
                    worst = Math.Max(worst, OnnxParity.Compare($"encoder output 'logvar' ({kind} x, batch {batch})", logvar, encoded[1], tolerance));

                    Tensor randomZ = randn([batch, model.Config.LatentSize], generator: generator);
                    foreach (var (zKind, z) in new[] { ("random", randomZ), ("encoded", mean) })
                    {
                        var decoded = OnnxParity.Run(decoder, WithLabel((VaeGraphNames.Z, z), y), decoderOutputs);
                        Tensor expected = model.Decode(z, y);
                        worst = Math.Max(worst, OnnxParity.Compare($"decoder output '{decoderOutput}' ({zKind} z, batch {batch})", expected, decoded[0], tolerance));
                        if (layout.PixelLogvar is Tensor pixelLogvar)
                            worst = Math.Max(worst, OnnxParity.Compare($"decoder output 'logvar' ({zKind} z, batch {batch})", pixelLogvar.reshape(1, -1).expand(batch, -1), decoded[1], tolerance));
                        if (probabilities)
                            worst = Math.Max(worst, OnnxParity.Compare($"decoder output '{VaeGraphNames.Probs}' ({zKind} z, batch {batch})", expected.sigmoid(), decoded[1], tolerance));
                    }
                }
            }
            return worst;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Refuses real inputs the verification could not feed to the model, before TorchSharp or ONNX Runtime
    /// fail on them with errors that name neither argument.</summary>
    private static void CheckRealInputs(VaeConfig config, Tensor? realSamples, Tensor? realLabels)
    {
        if (realSamples is null) return;
        long rowSize = realSamples.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (realSamples.dim() < 2 || rowSize != config.InputSize)
            throw new ArgumentException($"{nameof(realSamples)} has shape [{string.Join(", ", realSamples.shape)}]; expected [N, {string.Join(", ", config.InputShape)}] " +
                                        $"(or N rows of {config.InputSize} values in another shape).", nameof(realSamples));
        if (realLabels is not null && config.Classes > 0 && (realLabels.dim() != 1 || realLabels.shape[0] != realSamples.shape[0] || realLabels.dtype != ScalarType.Int64))
            throw new ArgumentException($"{nameof(realLabels)} is {realLabels.dtype} [{string.Join(", ", realLabels.shape)}]; expected int64 [{realSamples.shape[0]}], one class index per row of {nameof(realSamples)}.", nameof(realLabels));
    }

    /// <summary>One-hot float rows [N, classes] for int64 class indices [N].</summary>
    /// <exception cref="ArgumentException">A label is outside [0, classes).</exception>
    public static Tensor OneHot(Tensor labels, int classes)
    {
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0 || max >= classes)
            throw new ArgumentException($"labels range over [{min}, {max}]; the model has {classes} classes (0 to {classes - 1}).", nameof(labels));
        return nn.functional.one_hot(labels.to(int64), classes).to(float32);
    }

    private static List<(string, Tensor)> WithLabel((string, Tensor) input, Tensor? y) => y is null ? [input] : [input, (VaeGraphNames.Y, y)];
}
