using System.CommandLine;
using System.Globalization;
using Vae.Inference;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary>The model and data options of <c>vae train</c> (shared with <c>vae evaluate</c> for the data), and how a
/// preset and the options given on the command line combine into a <see cref="VaeConfig"/>.</summary>
internal sealed class ModelOptions
{
    public readonly Option<string> Preset = new("--preset") { Description = $"Starting configuration: {string.Join(", ", Training.Training.Preset.All.Keys)}; options given override it", DefaultValueFactory = _ => "pytorch-example" };
    public readonly Option<string> Architecture = new("--arch") { Description = "mlp, conv or hierarchical (stochastic layers: --layers, --prior)", DefaultValueFactory = _ => "mlp" };
    public readonly Option<string> Hidden = new("--hidden") { Description = "MLP hidden sizes, comma-separated (decoder mirrors them)", DefaultValueFactory = _ => "400" };
    public readonly Option<string> Channels = new("--channels") { Description = "Conv: channels per convolution, comma-separated", DefaultValueFactory = _ => "32,64" };
    public readonly Option<string> Strides = new("--strides") { Description = "Conv: stride per convolution, comma-separated", DefaultValueFactory = _ => "2,2" };
    public readonly Option<bool> BatchNorm = new("--batch-norm") { Description = "Conv: BatchNorm2d after hidden convolutions" };
    public readonly Option<int> Latent = new("--latent") { Description = "Latent size", DefaultValueFactory = _ => 20 };
    public readonly Option<string> Activation = new("--activation") { Description = "relu, leaky_relu, elu, silu, gelu or tanh", DefaultValueFactory = _ => "relu" };
    public readonly Option<bool> Conditional = new("--conditional") { Description = "Conditional VAE: give the one-hot label to encoder and decoder (needs labelled data)" };
    public readonly Option<string> Conditioning = new("--conditioning") { Description = "Conditional models: class-prior (a learned prior per class and a class-specific first decoder layer, so samples follow the label) or concat (the label concatenated to z, prior N(0, I); such models largely ignore the label)", DefaultValueFactory = _ => "class-prior" };
    public readonly Option<string> Likelihood = new("--likelihood") { Description = "bernoulli (logits) or gaussian", DefaultValueFactory = _ => "bernoulli" };
    public readonly Option<double> Sigma = new("--sigma") { Description = "Gaussian: fixed σ (MSE is σ = 1/√2 up to constants)", DefaultValueFactory = _ => 1.0 };
    public readonly Option<bool> LearnVariance = new("--learn-variance") { Description = "Gaussian: learn a per-pixel log-variance instead of a fixed σ" };
    public readonly Option<bool> Binarize = new("--binarize") { Description = "Bernoulli: dynamic binarisation, pixels re-sampled every batch" };
    public readonly Option<string> Objective = new("--objective") { Description = "vae (sample z, loss -ELBO) or ae: a deterministic autoencoder of the same architecture (z = the encoder's mean, loss = reconstruction only)", DefaultValueFactory = _ => "vae" };
    public readonly Option<string> Layers = new("--layers") { Description = "Hierarchical: stochastic layers from the data up, HIDDEN,HIDDEN:LATENT/…; the top layer's size is the latent size", DefaultValueFactory = _ => new HierarchyConfig().Format() };
    public readonly Option<string> Prior = new("--prior") { Description = "Hierarchical: prior of the top layer, standard-normal or vamp (VampPrior: a mixture of the encoder at learned pseudo-inputs)", DefaultValueFactory = _ => "standard-normal" };
    public readonly Option<int> PseudoInputs = new("--pseudo-inputs") { Description = "Hierarchical with --prior vamp: number K of learned pseudo-inputs", DefaultValueFactory = _ => new HierarchyConfig().PseudoInputs };

    public IEnumerable<Option> All => [Preset, Architecture, Hidden, Channels, Strides, BatchNorm, Latent, Activation, Conditional, Conditioning, Likelihood, Sigma, LearnVariance, Binarize, Objective, Layers, Prior, PseudoInputs];

    /// <summary>The preset's config with every option given on the command line applied; <paramref name="data"/> fixes the input shape and classes.</summary>
    public VaeConfig Build(ParseResult parse, Preset preset, Dataset data)
    {
        VaeConfig c = preset.Config;
        ConvConfig conv = c.ConvOrDefault;
        HierarchyConfig hierarchy = c.HierarchyOrDefault;
        hierarchy = hierarchy with
        {
            Layers = Pick(parse, Layers, hierarchy.Layers, s => HierarchyConfig.ParseLayers(s, Layers.Name)),
            Prior = Pick(parse, Prior, hierarchy.Prior, ParsePrior),
            PseudoInputs = Pick(parse, PseudoInputs, hierarchy.PseudoInputs, v => v),
        };
        Architecture architecture = Pick(parse, Architecture, c.Architecture, s => Enum.Parse<Architecture>(s, ignoreCase: true));
        bool hierarchical = architecture == Vae.Training.Models.Architecture.Hierarchical;
        return (c with
        {
            Architecture = architecture,
            InputShape = data.SampleShape,
            HiddenSizes = Pick(parse, Hidden, c.HiddenSizes, s => ParseSizes(s, "--hidden")),
            Conv = conv with
            {
                Channels = Pick(parse, Channels, conv.Channels, s => ParseSizes(s, "--channels")),
                Strides = Pick(parse, Strides, conv.Strides, s => ParseSizes(s, "--strides")),
                BatchNorm = Pick(parse, BatchNorm, conv.BatchNorm, b => b),
            },
            // a hierarchical model's latent size is its top layer's; --latent given beside --layers must agree with it
            LatentSize = Pick(parse, Latent, hierarchical ? hierarchy.Layers[^1].LatentSize : c.LatentSize, v => v),
            Hierarchy = hierarchical ? hierarchy : null,
            Activation = Pick(parse, Activation, c.Activation, s => s),
            Classes = Pick(parse, Conditional, c.Classes > 0, b => b) ? RequireLabels(data) : 0,
            Conditioning = Pick(parse, Conditioning, c.Conditioning, ConditioningKind),
            Likelihood = Pick(parse, Likelihood, c.Likelihood, s => Enum.Parse<Likelihood>(s, ignoreCase: true)),
            GaussianSigma = Pick(parse, Sigma, c.GaussianSigma, v => v),
            LearnVariance = Pick(parse, LearnVariance, c.LearnVariance, b => b),
            Binarize = Pick(parse, Binarize, c.Binarize, b => b),
            Objective = Pick(parse, Objective, c.Objective, ObjectiveKind),
        }).Validate();
    }

    /// <summary><c>--conditioning</c>: class-prior or concat.</summary>
    private static Training.Models.Conditioning ConditioningKind(string text) => text.ToLowerInvariant() switch
    {
        "class-prior" or "class_prior" => Training.Models.Conditioning.ClassPrior,
        "concat" => Training.Models.Conditioning.Concat,
        _ => throw new ArgumentException($"--conditioning is '{text}'; expected class-prior or concat.", "--conditioning"),
    };

    /// <summary><c>--objective</c>: vae or ae.</summary>
    private static Training.Models.Objective ObjectiveKind(string text) => text.ToLowerInvariant() switch
    {
        "vae" or "elbo" => Training.Models.Objective.Elbo,
        "ae" or "autoencoder" => Training.Models.Objective.Autoencoder,
        _ => throw new ArgumentException($"--objective is '{text}'; expected vae or ae.", "--objective"),
    };

    /// <summary>The option's value when given on the command line, else the preset's.</summary>
    public static T Pick<TOption, T>(ParseResult parse, Option<TOption> option, T preset, Func<TOption, T> convert)
    {
        if (parse.GetResult(option) is not { Implicit: false }) return preset;
        try
        {
            return convert(parse.GetValue(option)!);
        }
        catch (ArgumentException e) when (e.ParamName is null || !e.ParamName.StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{option.Name} is '{parse.GetValue(option)}': {e.Message}", option.Name, e);
        }
    }

    private static PriorKind ParsePrior(string text) => text.Replace("-", "").Replace("_", "").ToLowerInvariant() switch
    {
        "standardnormal" => PriorKind.StandardNormal,
        "vamp" or "vampprior" => PriorKind.Vamp,
        _ => throw new ArgumentException($"--prior is '{text}'; expected standard-normal or vamp.", "--prior"),
    };

    internal static int[] ParseSizes(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                       .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option} is '{text}'; expected comma-separated sizes such as 512,256.", option);
        }
    }

    private static int RequireLabels(Dataset data) => data.Labels is not null && data.ClassCount > 0
        ? data.ClassCount
        : throw new ArgumentException("--conditional needs labelled data (MNIST, idx with --labels, CSV with --label-column, or image sub-folders per class).", "--conditional");
}

/// <summary>Where the data comes from: <c>--data</c> and its reading options.</summary>
internal sealed class DataOptionsSet
{
    /// <param name="dataDescription">Help text of <c>--data</c>, for commands that read it in their own way.</param>
    public DataOptionsSet(string dataDescription = "MNIST folder, folder of images (PNG, JPEG, WebP, BMP, GIF; sub-folders = classes), .csv file or idx file") =>
        Data = new("--data") { Description = dataDescription, DefaultValueFactory = _ => Mnist.DefaultFolder };

    public readonly Option<string> Data;
    public readonly Option<string?> Labels = new("--labels") { Description = "idx label file for an idx --data" };
    public readonly Option<string?> TestData = new("--test-data") { Description = "Test set, any kind --data takes (an MNIST folder gives its test split; default: MNIST's test split when --data is an MNIST folder, else none)" };
    public readonly Option<string?> TestLabels = new("--test-labels") { Description = "idx label file for an idx --test-data" };
    public readonly Option<bool> CsvHeader = new("--csv-header") { Description = "CSV: the first row is a header" };
    public readonly Option<int?> LabelColumn = new("--label-column") { Description = "CSV: 0-based column holding the integer class label" };
    public readonly Option<double> Scale = new("--scale") { Description = "Divide values by this (0: by 255 when values exceed 1)", DefaultValueFactory = _ => 0 };
    public readonly Option<string?> Shape = new("--shape") { Description = "CSV: sample shape, e.g. 1,28,28 (default: one row of values)" };
    public readonly Option<string?> Resize = new("--resize") { Description = "Image folders: bring every image to H,W pixels (or N for N×N): centre crop to that aspect ratio, then resample (default: images must be one size)" };
    public readonly Option<bool> Grayscale = new("--grayscale") { Description = "Image folders: read colour images as one luma channel (ITU-R BT.601, as PIL's convert(\"L\"))" };
    public readonly Option<int> Limit = new("--limit") { Description = "Use only the first N samples (train: of the training set; evaluate: of the test set; 0: all)", DefaultValueFactory = _ => 0 };

    public IEnumerable<Option> All => [.. TrainAndTest, Limit];

    /// <summary>How <c>--data</c> is read: idx labels, CSV layout, scaling.</summary>
    public IEnumerable<Option> Reading => [Labels, CsvHeader, LabelColumn, Scale, Shape, Resize, Grayscale];

    /// <summary>The options of a command that reads a training set and a test set, except <c>--limit</c>.</summary>
    public IEnumerable<Option> TrainAndTest => [Data, Labels, TestData, TestLabels, CsvHeader, LabelColumn, Scale, Shape, Resize, Grayscale];

    /// <summary>
    /// The training set (its first <paramref name="limit"/> samples when &gt; 0) and the test set (null when there is none),
    /// the test set normalised as the training set is. <paramref name="normalize"/>: fit that normalisation on the training
    /// set (<c>--normalize</c>); <paramref name="recorded"/>: a model's own normalisation, applied to both as it is;
    /// <paramref name="allowMissing"/>: empty and NaN cells of a CSV are missing values (NaN) instead of errors.
    /// </summary>
    public (Dataset Train, Dataset? Test) Load(ParseResult parse, int limit, NormalizationKind? normalize = null, InputNormalization? recorded = null, bool allowMissing = false)
    {
        string path = parse.GetValue(Data)!;
        DataOptions options = Options(parse, parse.GetValue(Labels), recorded) with { Normalize = normalize, AllowMissing = allowMissing };
        Dataset train = Reported(DataSource.Load(path, options with { Limit = limit }));
        // statistics fitted on the training set normalise the test set too (never statistics of its own); a plain scale is
        // the test file's own (CSV values already in [0, 1] may be tested on an MNIST folder of bytes)
        DataOptions testOptions(string? labels) => (train.Normalization is { IsFitted: true } fitted
            ? Options(parse, labels, recorded) with { Scale = 0, Normalization = fitted }
            : Options(parse, labels, recorded)) with { AllowMissing = allowMissing };
        Dataset? test = parse.GetValue(TestData) is { } testPath
            ? Reported(DataSource.LoadTest(testPath, testOptions(parse.GetValue(TestLabels))))
            : DataSource.IsMnistFolder(path) ? DataSource.LoadTest(path, testOptions(parse.GetValue(Labels))) : null;
        return (train, test);
    }

    /// <summary>The test set for evaluation: --test-data, else MNIST's test split of --data, else --data itself; --limit keeps its first N samples;
    /// read with <paramref name="recorded"/> (the checkpoint's normalisation) when there is one.</summary>
    public Dataset LoadTest(ParseResult parse, InputNormalization? recorded = null)
    {
        int limit = PictureInputs.AtLeast(parse, Limit, 0);   // negative is an error, not "all"
        string path = parse.GetValue(TestData) ?? parse.GetValue(Data)!;
        return Reported(DataSource.LoadTest(path, Options(parse, parse.GetValue(TestData) is null ? parse.GetValue(Labels) : parse.GetValue(TestLabels), recorded) with { Limit = limit }));
    }

    /// <summary><c>--data</c> as a test set, read with <see cref="Reading"/>: MNIST's test split for an MNIST folder, else the folder or file itself;
    /// its first <paramref name="limit"/> samples when &gt; 0; normalised with <paramref name="recorded"/> (the model's) when there is one;
    /// <paramref name="allowMissing"/>: empty and NaN cells of a CSV are missing values (NaN). <paramref name="raw"/>: the values as the
    /// file holds them (÷ 1, no normalisation), for writing completed data back in the data's own units.</summary>
    public Dataset LoadTestOfData(ParseResult parse, int limit = 0, InputNormalization? recorded = null, bool allowMissing = false, bool raw = false) =>
        Reported(DataSource.LoadTest(parse.GetValue(Data)!, (raw ? Options(parse, parse.GetValue(Labels), null) with { Scale = 1 } : Options(parse, parse.GetValue(Labels), recorded))
            with { Limit = limit, AllowMissing = allowMissing }));

    /// <summary><c>--data</c> as a training set, read with <see cref="Reading"/>: MNIST's 60,000 training images for an MNIST folder
    /// (the first <paramref name="limit"/> when &gt; 0); normalised with <paramref name="recorded"/> (the model's) when there is one.</summary>
    /// <exception cref="ArgumentException"><c>--data</c> is not an MNIST folder (other data has no splits).</exception>
    public Dataset LoadTrainSplitOfData(ParseResult parse, int limit = 0, InputNormalization? recorded = null)
    {
        string path = parse.GetValue(Data)!;
        if (!DataSource.IsMnistFolder(path))
            throw new ArgumentException($"--split train picks an MNIST folder's training images; {path} is not an MNIST folder (other data has no splits: all of it is read).", "--split");
        return Reported(DataSource.Load(path, Options(parse, parse.GetValue(Labels), recorded) with { Limit = limit }));
    }

    /// <summary>Says on standard error what the reader left out (<see cref="Dataset.Skipped"/>), and returns the data set.</summary>
    private static Dataset Reported(Dataset data)
    {
        foreach (string line in data.Skipped) Console.Error.WriteLine($"note: skipped {line}");
        return data;
    }

    /// <summary>The reading options; a model's <paramref name="recorded"/> normalisation, when fitted on its training data,
    /// replaces <c>--scale</c> (given explicitly, it is an error: the model says how its inputs are made). A recorded plain
    /// scale does not: it describes the training data's raw form, and other data is scaled as its own form needs.</summary>
    private DataOptions Options(ParseResult parse, string? labels, InputNormalization? recorded)
    {
        if (recorded is { IsFitted: false }) recorded = null;
        if (recorded is not null && parse.GetResult(Scale) is { Implicit: false })
            throw new ArgumentException($"--scale does not apply: the model records how its inputs were normalised at training ({recorded.Describe()}) and reads the data that way.", Scale.Name);
        return new()
        {
            LabelsPath = labels,
            CsvHeader = parse.GetValue(CsvHeader),
            LabelColumn = parse.GetValue(LabelColumn),
            Scale = recorded is null ? parse.GetValue(Scale) : 0,
            Normalization = recorded,
            Shape = parse.GetValue(Shape) is { } s ? ModelOptions.ParseSizes(s, "--shape") : null,
            ImageSize = parse.GetValue(Resize) is { } r ? ImageSize(r) : null,
            Grayscale = parse.GetValue(Grayscale),
        };
    }

    /// <summary><c>--resize</c>: "H,W", or "N" for N × N (the sizes themselves are checked by <see cref="DataOptions.Validate"/>).</summary>
    private static int[] ImageSize(string text)
    {
        int[] sizes = ModelOptions.ParseSizes(text, "--resize");
        return sizes.Length switch
        {
            1 => [sizes[0], sizes[0]],
            2 => sizes,
            _ => throw new ArgumentException($"--resize is '{text}'; expected H,W (or N for N×N).", "--resize"),
        };
    }
}
