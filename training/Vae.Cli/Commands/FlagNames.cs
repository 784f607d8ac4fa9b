using System.Text.RegularExpressions;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary>
/// The one place that says which <c>vae</c> flag sets which library member. Library errors name members
/// (<c>TrainOptions.ClipNorm is -1; …</c>); <see cref="CommandRunner"/> shows them with the flag the user typed
/// (<c>--clip-norm is -1; …</c>). A member without a flag keeps its name.
/// </summary>
internal static partial class FlagNames
{
    /// <summary>Flag of each library member (Type.Member), and of the data options as a whole.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByMember = new Dictionary<string, string>
    {
        [Of<TrainOptions>(nameof(TrainOptions.Epochs))] = "--epochs",
        [Of<TrainOptions>(nameof(TrainOptions.BatchSize))] = "--batch-size",
        [Of<TrainOptions>(nameof(TrainOptions.LearningRate))] = "--lr",
        [Of<TrainOptions>(nameof(TrainOptions.Optimizer))] = "--optimizer",
        [Of<TrainOptions>(nameof(TrainOptions.WeightDecay))] = "--weight-decay",
        [Of<TrainOptions>(nameof(TrainOptions.Schedule))] = "--schedule",
        [Of<TrainOptions>(nameof(TrainOptions.StepEpochs))] = "--step-epochs",
        [Of<TrainOptions>(nameof(TrainOptions.StepGamma))] = "--step-gamma",
        [Of<TrainOptions>(nameof(TrainOptions.MinLearningRate))] = "--min-lr",
        [Of<TrainOptions>(nameof(TrainOptions.ClipNorm))] = "--clip-norm",
        [Of<TrainOptions>(nameof(TrainOptions.Seed))] = "--seed",
        [Of<TrainOptions>(nameof(TrainOptions.Beta))] = "--beta",
        [Of<TrainOptions>(nameof(TrainOptions.WarmupEpochs))] = "--warmup",
        [Of<TrainOptions>(nameof(TrainOptions.WarmupStagger))] = "--warmup-stagger",
        [Of<TrainOptions>(nameof(TrainOptions.FreeBits))] = "--free-bits",
        [Of<TrainOptions>(nameof(TrainOptions.Samples))] = "--samples",
        [Of<TrainOptions>(nameof(TrainOptions.ValidationSize))] = "--val-size",
        [Of<TrainOptions>(nameof(TrainOptions.Patience))] = "--patience",
        [Of<TrainOptions>(nameof(TrainOptions.MaxMinutes))] = "--max-minutes",
        [Of<TrainOptions>(nameof(TrainOptions.OutputBias))] = "--output-bias",
        [Of<TrainOptions>(nameof(TrainOptions.Denoise))] = "--denoise",
        [Of<TrainOptions>(nameof(TrainOptions.Missing))] = "--missing",
        [Of<VaeConfig>(nameof(VaeConfig.Objective))] = "--objective",
        [Of<VaeConfig>(nameof(VaeConfig.Conditioning))] = "--conditioning",
        [Of<VaeConfig>(nameof(VaeConfig.Architecture))] = "--arch",
        [Of<VaeConfig>(nameof(VaeConfig.HiddenSizes))] = "--hidden",
        [Of<VaeConfig>(nameof(VaeConfig.LatentSize))] = "--latent",
        [Of<VaeConfig>(nameof(VaeConfig.Activation))] = "--activation",
        [Of<VaeConfig>(nameof(VaeConfig.Likelihood))] = "--likelihood",
        [Of<VaeConfig>(nameof(VaeConfig.GaussianSigma))] = "--sigma",
        [Of<VaeConfig>(nameof(VaeConfig.LearnVariance))] = "--learn-variance",
        [Of<VaeConfig>(nameof(VaeConfig.Binarize))] = "--binarize",
        [Of<VaeConfig>(nameof(VaeConfig.Hierarchy))] = "--layers",
        [Of<HierarchyConfig>(nameof(HierarchyConfig.Layers))] = "--layers",
        [Of<HierarchyConfig>(nameof(HierarchyConfig.Prior))] = "--prior",
        [Of<HierarchyConfig>(nameof(HierarchyConfig.PseudoInputs))] = "--pseudo-inputs",
        [Of<ConvConfig>(nameof(ConvConfig.Channels))] = "--channels",
        [Of<ConvConfig>(nameof(ConvConfig.Strides))] = "--strides",
        [Of<ConvConfig>(nameof(ConvConfig.BatchNorm))] = "--batch-norm",
        [Of<DataOptions>(nameof(DataOptions.LabelsPath))] = "--labels",
        [Of<DataOptions>(nameof(DataOptions.CsvHeader))] = "--csv-header",
        [Of<DataOptions>(nameof(DataOptions.LabelColumn))] = "--label-column",
        [Of<DataOptions>(nameof(DataOptions.Scale))] = "--scale",
        [Of<DataOptions>(nameof(DataOptions.Shape))] = "--shape",
        [Of<DataOptions>(nameof(DataOptions.ImageSize))] = "--resize",
        [Of<DataOptions>(nameof(DataOptions.Limit))] = "--limit",
        [Of<DataOptions>(nameof(DataOptions.Grayscale))] = "--grayscale",
        [Of<DataOptions>(nameof(DataOptions.Normalize))] = "--normalize",
        [nameof(DataOptions)] = "data options (--data, --test-data, --limit, --scale, ...)",
        [Of<ExportOptions>(nameof(ExportOptions.Opset))] = "--opset",
        [Of<ExportOptions>(nameof(ExportOptions.IrVersion))] = "--ir-version",
        [Of<ExportOptions>(nameof(ExportOptions.Tolerance))] = "--tolerance",
    };

    /// <summary><paramref name="message"/> with every mapped member replaced by its flag.</summary>
    public static string InCliTerms(string message) =>
        Member().Replace(message, m => ByMember.TryGetValue(m.Value, out string? flag) ? flag : m.Value);

    private static string Of<T>(string member) => $"{typeof(T).Name}.{member}";

    [GeneratedRegex(@"\b(?:TrainOptions|VaeConfig|ConvConfig|HierarchyConfig|DataOptions|ExportOptions)(?:\.[A-Z]\w*)?\b")]
    private static partial Regex Member();
}
