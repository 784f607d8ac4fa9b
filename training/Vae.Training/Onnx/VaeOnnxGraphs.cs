using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using Vae.Inference;
using Vae.Training.Models;
using static Vae.Training.Onnx.OnnxGraphBuilder;

namespace Vae.Training.Onnx;

/// <summary>
/// Builds the encoder and decoder graphs of a <see cref="VaeModule"/> in memory, following its
/// <see cref="VaeGraphLayout"/>: encoder x [+ y] → mean, logvar; decoder z [+ y] → logits (Bernoulli) or
/// mean [+ logvar] (Gaussian).
/// </summary>
public static class VaeOnnxGraphs
{
    /// <summary>Decoder output name for <paramref name="likelihood"/>: <c>logits</c> (Bernoulli) or <c>mean</c> (Gaussian).</summary>
    public static string DecoderOutputName(Likelihood likelihood) => likelihood == Likelihood.Bernoulli ? VaeGraphNames.Logits : VaeGraphNames.Mean;

    /// <summary>
    /// The decoder graph's outputs in order: <c>logits</c> [+ <c>probs</c> when <see cref="ExportOptions.ProbabilitiesOutput"/>]
    /// for Bernoulli models, <c>mean</c> [+ <c>logvar</c> with a learned per-pixel log-variance] for Gaussian ones.
    /// </summary>
    public static string[] DecoderOutputNames(VaeModule model, ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        string output = DecoderOutputName(model.Config.Likelihood);
        if (model.Config.Likelihood == Likelihood.Bernoulli)
            return options.ProbabilitiesOutput ? [output, VaeGraphNames.Probs] : [output];
        return model.GraphLayout.PixelLogvar is null ? [output] : [output, VaeGraphNames.Logvar];
    }

    /// <summary>Both graphs as serialised ONNX bytes, with one pair identity (<see cref="ExportOptions.PairId"/>, a new one when
    /// null). The model runs in eval mode meanwhile; its training flag is restored.</summary>
    /// <exception cref="UnsupportedModuleException">A module in the tree has no converter (checked before anything is built).</exception>
    /// <exception cref="ArgumentException">The layout does not fit the config (shapes, classes, per-pixel logvar size).</exception>
    public static (byte[] Encoder, byte[] Decoder) Build(VaeModule model, ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        options = options with { PairId = options.PairId ?? ExportOptions.NewPairId() };
        if (model is HierarchicalVae hierarchical) return HierarchicalOnnxGraphs.BuildPair(hierarchical, options);
        VaeGraphLayout layout = model.GraphLayout;
        CheckLayout(model.Config, layout);
        OnnxModuleExporter.EnsureOnCpu(model);
        var paths = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in model.named_modules()) paths.TryAdd(module, name);
        string PathOf(nn.Module m) => paths.TryGetValue(m, out string? p) ? p : throw new ArgumentException($"module {m.GetType().Name} of the graph layout is not registered in the model; call RegisterComponents().");

        foreach (var module in new[] { layout.EncoderBody, layout.MeanHead, layout.LogvarHead, layout.Decoder })
            OnnxLayerRegistry.EnsureSupported(module, PathOf(module));

        using var threads = TorchThreads.Single();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var metadata = Metadata(model, options);
            byte[] encoder = BuildEncoder(model, layout, PathOf, model.Config.LatentSize, options).ToModelBytes("vae_encoder", options, WithGraph(metadata, "encoder"), "VAE encoder");
            byte[] decoder = BuildDecoder(model, layout, PathOf, options).ToModelBytes("vae_decoder", options, WithGraph(metadata, "decoder"), "VAE decoder");
            return (encoder, decoder);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    // x → body → [flatten, concat y] → (mean head, logvar head) [→ standardised by the label's prior]
    private static OnnxGraphBuilder BuildEncoder(VaeModule model, VaeGraphLayout layout, Func<nn.Module, string> pathOf, int latentSize, ExportOptions options)
    {
        var graph = new OnnxGraphBuilder(options.Opset);
        OnnxValue x = graph.AddInput(VaeGraphNames.X, layout.EncoderInputShape);
        OnnxValue h = OnnxLayerRegistry.Emit(graph, layout.EncoderBody, pathOf(layout.EncoderBody), x);
        OnnxValue? y = layout.Classes > 0 ? graph.AddInput(VaeGraphNames.Y, [layout.Classes]) : null;
        if (y is not null) h = ConcatLabel(graph, h, y, "encoder");
        bool prior = layout.ClassPrior is not null && y is not null;
        OnnxValue mean = OnnxLayerRegistry.Emit(graph, layout.MeanHead, pathOf(layout.MeanHead), h, prior ? null : VaeGraphNames.Mean);
        OnnxValue logvar = OnnxLayerRegistry.Emit(graph, layout.LogvarHead, pathOf(layout.LogvarHead), h, prior ? null : VaeGraphNames.Logvar);
        foreach (OnnxValue head in new[] { mean, logvar })
            if (!head.SampleShape.SequenceEqual([latentSize]))
                throw new ArgumentException($"encoder head '{head.Name}' produces [batch, {string.Join(", ", head.SampleShape)}]; expected [batch, {latentSize}] (latent size).", nameof(layout));
        if (prior) (mean, logvar) = ClassPriorGraph.Standardise(graph, model, layout, y!, mean, logvar);
        graph.AddOutput(mean);
        graph.AddOutput(logvar);
        return graph;
    }

    // z → [concat y | class prior: z = μ_y + σ_y · ε, then (y ⊗ z, y)] → decoder → logits [, probs = σ(logits)] | mean [, logvar = broadcast of the per-pixel parameter]
    private static OnnxGraphBuilder BuildDecoder(VaeModule model, VaeGraphLayout layout, Func<nn.Module, string> pathOf, ExportOptions options)
    {
        var graph = new OnnxGraphBuilder(options.Opset);
        OnnxValue z = graph.AddInput(VaeGraphNames.Z, [model.Config.LatentSize]);
        if (layout.Classes > 0)
        {
            OnnxValue y = graph.AddInput(VaeGraphNames.Y, [layout.Classes]);
            z = layout.ClassPrior is null ? ConcatLabel(graph, z, y, "decoder") : ClassPriorGraph.DecoderInput(graph, model, layout, y, z);
        }
        OnnxValue output = OnnxLayerRegistry.Emit(graph, layout.Decoder, pathOf(layout.Decoder), z, DecoderOutputName(model.Config.Likelihood));
        if (output.SampleShape.Aggregate(1, (a, b) => a * b) != model.Config.InputSize)
            throw new ArgumentException($"decoder produces [batch, {string.Join(", ", output.SampleShape)}]; expected {model.Config.InputSize} values per sample (input shape [{string.Join(", ", model.Config.InputShape)}]).", nameof(model));
        graph.AddOutput(output);
        if (DecoderOutputNames(model, options).Contains(VaeGraphNames.Probs))
        {
            graph.AddNode("Sigmoid", [output.Name], VaeGraphNames.Probs, VaeGraphNames.Probs);
            graph.AddOutput(VaeGraphNames.Probs, output.SampleShape);
        }
        if (layout.PixelLogvar is Tensor pixelLogvar)
        {
            string name = model.named_parameters().FirstOrDefault(p => ReferenceEquals(p.parameter, pixelLogvar)).name ?? "pixel_logvar";
            using Tensor shaped = pixelLogvar.detach().reshape([1, .. output.SampleShape.Select(d => (long)d)]);
            string parameter = graph.AddInitializer(name, shaped);
            string shape = graph.AddNode("Shape", [output.Name], VaeGraphNames.Logvar);
            graph.AddNode("Expand", [parameter, shape], VaeGraphNames.Logvar, VaeGraphNames.Logvar);
            graph.AddOutput(VaeGraphNames.Logvar, output.SampleShape);
        }
        return graph;
    }

    // Conditional models: [flatten(h, 1), y] on axis 1.
    private static OnnxValue ConcatLabel(OnnxGraphBuilder graph, OnnxValue h, OnnxValue y, string path)
    {
        int features = h.SampleShape.Aggregate(1, (a, b) => a * b);
        string flat = h.Rank == 2 ? h.Name : graph.AddNode("Flatten", [h.Name], path + ".flatten", null, Int("axis", 1));
        return new OnnxValue(graph.AddNode("Concat", [flat, y.Name], path + ".concat_y", null, Int("axis", 1)), [features + y.SampleShape[0]]);
    }

    private static void CheckLayout(VaeConfig config, VaeGraphLayout layout)
    {
        if (layout.EncoderInputShape.Aggregate(1, (a, b) => a * b) != config.InputSize)
            throw new ArgumentException($"graph layout's encoder input shape [{string.Join(", ", layout.EncoderInputShape)}] holds {layout.EncoderInputShape.Aggregate(1, (a, b) => a * b)} values; the config's input shape [{string.Join(", ", config.InputShape)}] holds {config.InputSize}.", nameof(layout));
        if (layout.Classes < 0)
            throw new ArgumentException($"graph layout's Classes is {layout.Classes}; expected 0 (unconditional) or the number of classes.", nameof(layout));
        if (layout.PixelLogvar is Tensor p && p.numel() != config.InputSize)
            throw new ArgumentException($"graph layout's PixelLogvar has {p.numel()} values; expected {config.InputSize} (one per pixel).", nameof(layout));
        if (layout.PixelLogvar is not null && config.Likelihood != Likelihood.Gaussian)
            throw new ArgumentException($"graph layout has a per-pixel logvar but the likelihood is {config.Likelihood}; it belongs to Gaussian models.", nameof(layout));
        if (layout.ClassPrior is { } prior && (prior.Mean.shape is not [var c, var d] || c != layout.Classes || d != config.LatentSize || !prior.Logvar.shape.SequenceEqual(prior.Mean.shape)))
            throw new ArgumentException($"graph layout's ClassPrior has means [{string.Join(", ", prior.Mean.shape)}] and log-variances [{string.Join(", ", prior.Logvar.shape)}]; expected [{layout.Classes}, {config.LatentSize}] (classes × latent size) each.", nameof(layout));
    }

    /// <summary>The facts stored in both graphs' metadata_props (and in model.json).</summary>
    public static Dictionary<string, string> Metadata(VaeModule model, ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        VaeConfig config = model.Config;
        VaeGraphLayout layout = model.GraphLayout;
        var metadata = new Dictionary<string, string>
        {
            [VaeMetadata.FormatVersion] = VaeMetadata.CurrentFormatVersion.ToString(CultureInfo.InvariantCulture),
            [VaeMetadata.ModelKind] = config.Architecture.ToString().ToLowerInvariant(),
            [VaeMetadata.InputShape] = VaeMetadata.FormatShape(layout.EncoderInputShape),
            [VaeMetadata.ImageShape] = VaeMetadata.FormatShape(config.InputShape),
            [VaeMetadata.LatentSize] = config.LatentSize.ToString(CultureInfo.InvariantCulture),
            [VaeMetadata.Likelihood] = config.Likelihood.ToString().ToLowerInvariant(),
            [VaeMetadata.OutputKind] = DecoderOutputName(config.Likelihood),
            [VaeMetadata.PixelScaling] = (options.Normalization ?? model.InputNormalization)?.Describe() ?? "not recorded (the inputs the model was trained on)",
            [VaeMetadata.Classes] = layout.Classes.ToString(CultureInfo.InvariantCulture),
            [VaeMetadata.Producer] = Producer,
            [VaeMetadata.Training] = options.TrainingSummary,
        };
        if (options.PairId is { } pair) metadata[VaeMetadata.PairId] = pair;
        if ((options.Normalization ?? model.InputNormalization) is { } normalization)
        {
            if (!normalization.Fits(config.InputSize))
                throw new ArgumentException($"the input normalisation has {normalization.Length} values per sample; the model's input has {config.InputSize}.", nameof(options));
            metadata[VaeMetadata.InputNormalization] = normalization.ToJson();
        }
        // an autoencoder's "posterior" is a point mass and its z was never pulled towards N(0, I): readers must be able to tell
        if (config.Objective == Objective.Autoencoder) metadata[VaeMetadata.Objective] = VaeMetadata.AutoencoderObjective;
        // A fixed σ is part of p(x|z): without it a reader would score with σ = 1. A learned variance travels as the decoder's logvar output.
        if (config.Likelihood == Likelihood.Gaussian && layout.PixelLogvar is null)
            metadata[VaeMetadata.GaussianSigma] = config.GaussianSigma.ToString("R", CultureInfo.InvariantCulture);
        return metadata;
    }

    /// <summary>Producer name and version written into every model.</summary>
    public static string Producer => $"{ProducerName} {typeof(VaeOnnxGraphs).Assembly.GetName().Version}";

    private static Dictionary<string, string> WithGraph(Dictionary<string, string> metadata, string which) =>
        new(metadata) { [VaeMetadata.Graph] = which };
}
