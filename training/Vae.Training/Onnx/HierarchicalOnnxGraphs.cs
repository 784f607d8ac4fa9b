using System.Globalization;
using TorchSharp;
using Vae.Inference;
using Vae.Training.Models;
using static TorchSharp.torch;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>One exported graph of a model folder: its file name and serialised ONNX bytes.</summary>
public sealed record NamedGraph(string File, byte[] Model);

/// <summary>
/// The graphs of a <see cref="HierarchicalVae"/>. The pair (<c>encoder.onnx</c>, <c>decoder.onnx</c>) works on the top layer
/// along the mean path, as <see cref="HierarchicalVae.Encode"/> and <see cref="HierarchicalVae.Decode"/> do, so every tool of a
/// one-layer pair runs on it. The layer set is the model itself, one conditional per graph (<see cref="VaeHierarchy"/>'s files):
/// <c>encoder_1.onnx</c> x → mean, logvar of q(z_1|x); <c>encoder_l.onnx</c> z → mean, logvar of q(z_l|z_{l−1});
/// <c>decoder_l.onnx</c> (l ≥ 2) z → mean, logvar of p(z_{l−1}|z_l); <c>decoder_1.onnx</c> z → logits [, probs] or mean of p(x|z_1);
/// and for the VampPrior <c>prior.onnx</c>, a graph without inputs → mean, logvar [K, LatentSize] of its components and
/// u [K, InputSize], the pseudo-inputs.
/// </summary>
public static class HierarchicalOnnxGraphs
{
    /// <summary>The pair: encoder x → mean, logvar of the top layer; decoder z_L → the data's logits [+ probs] or mean.</summary>
    public static (byte[] Encoder, byte[] Decoder) BuildPair(HierarchicalVae model, ExportOptions options)
    {
        var context = new Context(model, options);
        return context.Run(() =>
        {
            var encoder = new OnnxGraphBuilder(options.Opset);
            OnnxValue h = encoder.AddInput(VaeGraphNames.X, [model.Config.InputSize]);
            for (int l = 1; l < model.Layers; l++) h = context.EmitPosterior(encoder, l, h, null, null).Mean;
            context.EmitPosterior(encoder, model.Layers, h, VaeGraphNames.Mean, VaeGraphNames.Logvar, output: true);

            var decoder = new OnnxGraphBuilder(options.Opset);
            OnnxValue z = decoder.AddInput(VaeGraphNames.Z, [model.Config.LatentSize]);
            for (int l = model.Layers - 1; l >= 1; l--) z = context.EmitConditional(decoder, l, z, null, null).Mean;
            context.EmitData(decoder, z);
            return (context.Finish(encoder, "vae_encoder", "encoder", "VAE encoder: the top layer's posterior along the mean path"),
                    context.Finish(decoder, "vae_decoder", "decoder", "VAE decoder: the top layer's z to the data along the mean path"));
        });
    }

    /// <summary>The layer set: one graph per conditional, and the VampPrior's graph.</summary>
    public static IReadOnlyList<NamedGraph> BuildLayers(HierarchicalVae model, ExportOptions options)
    {
        var context = new Context(model, options);
        return context.Run(() =>
        {
            var graphs = new List<NamedGraph>();
            for (int l = 1; l <= model.Layers; l++)
            {
                var graph = new OnnxGraphBuilder(options.Opset);
                OnnxValue input = l == 1 ? graph.AddInput(VaeGraphNames.X, [model.Config.InputSize]) : graph.AddInput(VaeGraphNames.Z, [model.LatentSizes[l - 2]]);
                context.EmitPosterior(graph, l, input, VaeGraphNames.Mean, VaeGraphNames.Logvar, output: true);
                string file = VaeHierarchy.EncoderFile(l);
                graphs.Add(new NamedGraph(file, context.Finish(graph, $"vae_encoder_{l}", Path.GetFileNameWithoutExtension(file), $"q(z_{l} | {(l == 1 ? "x" : $"z_{l - 1}")})")));
            }
            for (int l = model.Layers; l >= 2; l--)
            {
                var graph = new OnnxGraphBuilder(options.Opset);
                OnnxValue z = graph.AddInput(VaeGraphNames.Z, [model.LatentSizes[l - 1]]);
                context.EmitConditional(graph, l - 1, z, VaeGraphNames.Mean, VaeGraphNames.Logvar, output: true);
                string file = VaeHierarchy.DecoderFile(l);
                graphs.Add(new NamedGraph(file, context.Finish(graph, $"vae_decoder_{l}", Path.GetFileNameWithoutExtension(file), $"p(z_{l - 1} | z_{l})")));
            }
            var data = new OnnxGraphBuilder(options.Opset);
            context.EmitData(data, data.AddInput(VaeGraphNames.Z, [model.LatentSizes[0]]));
            graphs.Add(new NamedGraph(VaeHierarchy.DecoderFile(1), context.Finish(data, "vae_decoder_1", "decoder_1", "p(x | z_1)")));
            if (model.Prior == PriorKind.Vamp) graphs.Add(new NamedGraph(VaeHierarchy.PriorFile, context.Finish(BuildPrior(model, context), "vae_prior", "prior", "VampPrior components q(z_L | u_k)")));
            return (IReadOnlyList<NamedGraph>)graphs;
        });
    }

    /// <summary>The facts every graph of the model carries: the pair's, plus the layers and the prior.</summary>
    public static Dictionary<string, string> Metadata(HierarchicalVae model, ExportOptions options)
    {
        Dictionary<string, string> metadata = VaeOnnxGraphs.Metadata(model, options);
        metadata[VaeMetadata.Layers] = string.Join(",", model.LatentSizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        metadata[VaeMetadata.Prior] = model.Prior == PriorKind.Vamp ? VaeHierarchy.VampPrior : VaeHierarchy.StandardNormalPrior;
        return metadata;
    }

    // no inputs: the pseudo-inputs (clamped to [0, 1] for Bernoulli models) through the encoder along the mean path
    private static OnnxGraphBuilder BuildPrior(HierarchicalVae model, Context context)
    {
        var graph = new OnnxGraphBuilder(context.Options.Opset);
        Tensor parameter = model.PseudoInputParameter!;
        string raw = graph.AddInitializer(context.PathOf(parameter), parameter);
        string u = model.Config.Likelihood == Likelihood.Bernoulli
            ? graph.AddNode("Clip", [raw, graph.AddScalar("clip_min", 0f), graph.AddScalar("clip_max", 1f)], "pseudo_inputs", VaeHierarchy.PseudoInputsOutput)
            : graph.AddNode("Identity", [raw], "pseudo_inputs", VaeHierarchy.PseudoInputsOutput);
        var h = new OnnxValue(u, [model.Config.InputSize]);
        graph.AddOutput(h);
        for (int l = 1; l < model.Layers; l++) h = context.EmitPosterior(graph, l, h, null, null).Mean;
        context.EmitPosterior(graph, model.Layers, h, VaeGraphNames.Mean, VaeGraphNames.Logvar, output: true);
        return graph;
    }

    /// <summary>What building one model's graphs shares: module paths (initializer names), metadata, eval mode on one thread.</summary>
    private sealed class Context
    {
        private readonly HierarchicalVae model;
        private readonly Dictionary<nn.Module, string> paths = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, string> metadata;

        public Context(HierarchicalVae model, ExportOptions options)
        {
            this.model = model ?? throw new ArgumentNullException(nameof(model));
            Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
            OnnxModuleExporter.EnsureOnCpu(model);
            foreach (var (name, module) in model.named_modules()) paths.TryAdd(module, name);
            foreach (var (name, module) in model.named_children()) OnnxLayerRegistry.EnsureSupported(module, name);
            metadata = Metadata(model, Options);
        }

        public ExportOptions Options { get; }

        public T Run<T>(Func<T> build)
        {
            using var threads = TorchThreads.Single();
            bool wasTraining = model.training;
            model.eval();
            try { return build(); }
            finally { model.train(wasTraining); }
        }

        public string PathOf(nn.Module module) => paths[module];

        public string PathOf(Tensor parameter) => model.named_parameters().First(p => ReferenceEquals(p.parameter, parameter)).name;

        public (OnnxValue Mean, OnnxValue Logvar) EmitPosterior(OnnxGraphBuilder graph, int layer, OnnxValue below, string? meanName, string? logvarName, bool output = false) =>
            EmitGaussian(graph, model.PosteriorModules(layer), below, meanName, logvarName, output, model.LatentSizes[layer - 1]);

        public (OnnxValue Mean, OnnxValue Logvar) EmitConditional(OnnxGraphBuilder graph, int layer, OnnxValue above, string? meanName, string? logvarName, bool output = false) =>
            EmitGaussian(graph, model.ConditionalModules(layer), above, meanName, logvarName, output, model.LatentSizes[layer - 1]);

        // z_1 → logits [, probs = σ(logits)] (Bernoulli) or mean (Gaussian)
        public void EmitData(OnnxGraphBuilder graph, OnnxValue z1)
        {
            string name = VaeOnnxGraphs.DecoderOutputName(model.Config.Likelihood);
            OnnxValue output = OnnxLayerRegistry.Emit(graph, model.DataDecoder, PathOf(model.DataDecoder), z1, name);
            graph.AddOutput(output);
            if (model.Config.Likelihood == Likelihood.Bernoulli && Options.ProbabilitiesOutput)
            {
                graph.AddNode("Sigmoid", [output.Name], VaeGraphNames.Probs, VaeGraphNames.Probs);
                graph.AddOutput(VaeGraphNames.Probs, output.SampleShape);
            }
        }

        public byte[] Finish(OnnxGraphBuilder graph, string graphName, string which, string doc) =>
            graph.ToModelBytes(graphName, Options, new Dictionary<string, string>(metadata) { [VaeMetadata.Graph] = which }, doc);

        // body → (mean head, logvar head); only the mean when no names are asked for and it is not an output
        private (OnnxValue Mean, OnnxValue Logvar) EmitGaussian(OnnxGraphBuilder graph, (nn.Module Body, nn.Module Mean, nn.Module Logvar) modules,
                                                               OnnxValue input, string? meanName, string? logvarName, bool output, int size)
        {
            OnnxValue h = OnnxLayerRegistry.Emit(graph, modules.Body, PathOf(modules.Body), input);
            OnnxValue mean = OnnxLayerRegistry.Emit(graph, modules.Mean, PathOf(modules.Mean), h, meanName);
            if (!output) return (mean, mean);
            OnnxValue logvar = OnnxLayerRegistry.Emit(graph, modules.Logvar, PathOf(modules.Logvar), h, logvarName);
            foreach (OnnxValue head in new[] { mean, logvar })
            {
                if (!head.SampleShape.SequenceEqual([size]))
                    throw new ArgumentException($"head '{head.Name}' produces [batch, {string.Join(", ", head.SampleShape)}]; expected [batch, {size}].", nameof(modules));
                graph.AddOutput(head);
            }
            return (mean, logvar);
        }
    }
}
