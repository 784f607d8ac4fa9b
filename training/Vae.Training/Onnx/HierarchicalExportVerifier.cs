using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Vae.Inference;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Runs each graph of a <see cref="HierarchicalVae"/>'s layer set (<see cref="HierarchicalOnnxGraphs.BuildLayers"/>) in ONNX
/// Runtime and compares every output with the TorchSharp conditional it exports, at batches 1 and 37: random x and real
/// samples for <c>encoder_1</c>, random z for the others, and the prior's components and pseudo-inputs as they are. The pair
/// is checked by <see cref="OnnxExportVerifier"/>.
/// </summary>
public static class HierarchicalExportVerifier
{
    /// <summary>Returns the largest absolute difference found.</summary>
    /// <param name="realSamples">Optional real inputs [N, ...InputShape] for <c>encoder_1</c>.</param>
    /// <exception cref="OnnxVerificationException">ONNX Runtime refuses a graph, a graph is missing, or an output differs by more than
    /// <paramref name="tolerance"/> + <see cref="OnnxParity.RelativeTolerance"/>·|expected|.</exception>
    public static double Verify(HierarchicalVae model, IReadOnlyList<NamedGraph> graphs, double tolerance, Tensor? realSamples = null, Func<string, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graphs);
        describe ??= file => $"graph {file}";
        byte[] Graph(string file) => graphs.FirstOrDefault(g => g.File == file)?.Model
            ?? throw new OnnxVerificationException($"export verification failed: the {describe(file)} is missing; a {model.Layers}-layer model with a {model.Prior} prior has {string.Join(", ", Expected(model))}.");
        using var threads = TorchThreads.Single();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var generator = new Generator(1234);
            double worst = 0;
            for (int l = 1; l <= model.Layers; l++)
            {
                int layer = l;
                int inputSize = l == 1 ? model.Config.InputSize : model.LatentSizes[l - 2];
                worst = Math.Max(worst, CheckGaussian(Graph(VaeHierarchy.EncoderFile(l)), describe(VaeHierarchy.EncoderFile(l)), l == 1 ? VaeGraphNames.X : VaeGraphNames.Z,
                    inputSize, input => model.Posterior(layer, input), tolerance, generator, l == 1 ? realSamples : null));
            }
            for (int l = 2; l <= model.Layers; l++)
            {
                int layer = l - 1;
                worst = Math.Max(worst, CheckGaussian(Graph(VaeHierarchy.DecoderFile(l)), describe(VaeHierarchy.DecoderFile(l)), VaeGraphNames.Z,
                    model.LatentSizes[l - 1], z => model.Conditional(layer, z), tolerance, generator, null));
            }
            worst = Math.Max(worst, CheckData(model, Graph(VaeHierarchy.DecoderFile(1)), describe(VaeHierarchy.DecoderFile(1)), tolerance, generator));
            if (model.Prior == PriorKind.Vamp) worst = Math.Max(worst, CheckPrior(model, Graph(VaeHierarchy.PriorFile), describe(VaeHierarchy.PriorFile), tolerance));
            return worst;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The file names of the layer set of <paramref name="model"/>.</summary>
    public static IEnumerable<string> Expected(HierarchicalVae model) =>
        Enumerable.Range(1, model.Layers).Select(VaeHierarchy.EncoderFile)
            .Concat(Enumerable.Range(1, model.Layers).Select(VaeHierarchy.DecoderFile))
            .Concat(model.Prior == PriorKind.Vamp ? [VaeHierarchy.PriorFile] : []);

    private static double CheckGaussian(byte[] bytes, string what, string inputName, int inputSize, Func<Tensor, (Tensor Mean, Tensor Logvar)> expected,
                                        double tolerance, Generator generator, Tensor? real)
    {
        using InferenceSession session = OnnxParity.Open(bytes, what);
        double worst = 0;
        foreach (int batch in OnnxParity.BatchSizes)
        {
            var inputs = new List<(string Kind, Tensor Value)>();
            using var scope = NewDisposeScope();
            Tensor random = randn([batch, inputSize], generator: generator);
            inputs.Add(("random", inputName == VaeGraphNames.X ? random.sigmoid() : random));
            if (real is not null && real.shape[0] >= batch) inputs.Add(("real", real.narrow(0, 0, batch).reshape(batch, -1)));
            foreach (var (kind, input) in inputs)
            {
                var (mean, logvar) = expected(input);
                float[][] actual = OnnxParity.Run(session, [(inputName, input)], [VaeGraphNames.Mean, VaeGraphNames.Logvar]);
                worst = Math.Max(worst, OnnxParity.Compare($"{what} output 'mean' ({kind} {inputName}, batch {batch})", mean, actual[0], tolerance));
                worst = Math.Max(worst, OnnxParity.Compare($"{what} output 'logvar' ({kind} {inputName}, batch {batch})", logvar, actual[1], tolerance));
            }
        }
        return worst;
    }

    private static double CheckData(HierarchicalVae model, byte[] bytes, string what, double tolerance, Generator generator)
    {
        using InferenceSession session = OnnxParity.Open(bytes, what);
        string output = VaeOnnxGraphs.DecoderOutputName(model.Config.Likelihood);
        bool probabilities = session.OutputMetadata.ContainsKey(VaeGraphNames.Probs);
        double worst = 0;
        foreach (int batch in OnnxParity.BatchSizes)
        {
            using var scope = NewDisposeScope();
            Tensor z = randn([batch, model.LatentSizes[0]], generator: generator);
            Tensor expected = model.DecodeData(z);
            float[][] actual = OnnxParity.Run(session, [(VaeGraphNames.Z, z)], probabilities ? [output, VaeGraphNames.Probs] : [output]);
            worst = Math.Max(worst, OnnxParity.Compare($"{what} output '{output}' (random z, batch {batch})", expected, actual[0], tolerance));
            if (probabilities) worst = Math.Max(worst, OnnxParity.Compare($"{what} output '{VaeGraphNames.Probs}' (random z, batch {batch})", expected.sigmoid(), actual[1], tolerance));
        }
        return worst;
    }

    private static double CheckPrior(HierarchicalVae model, byte[] bytes, string what, double tolerance)
    {
        using InferenceSession session = OnnxParity.Open(bytes, what);
        using var scope = NewDisposeScope();
        var (mean, logvar) = model.PriorComponents()!.Value;
        float[][] actual = OnnxParity.Run(session, [], [VaeGraphNames.Mean, VaeGraphNames.Logvar, VaeHierarchy.PseudoInputsOutput]);
        double worst = OnnxParity.Compare($"{what} output 'mean'", mean, actual[0], tolerance);
        worst = Math.Max(worst, OnnxParity.Compare($"{what} output 'logvar'", logvar, actual[1], tolerance));
        return Math.Max(worst, OnnxParity.Compare($"{what} output '{VaeHierarchy.PseudoInputsOutput}'", model.PseudoInputs()!, actual[2], tolerance));
    }
}
