using System.CommandLine;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>Options and inputs shared by the picture commands: model folder, test images, output path, checks.</summary>
internal static class PictureInputs
{
    public static Option<string> ModelOption() =>
        new("--model") { Description = "Exported model folder (encoder.onnx, decoder.onnx)", DefaultValueFactory = _ => "models/mnist" };

    /// <summary><c>--data</c> (the images a picture command draws from) and the options that say how to read it.
    /// Add <see cref="DataOptionsSet.Data"/> and <see cref="DataOptionsSet.Reading"/> to the command.</summary>
    public static DataOptionsSet DataOptions() =>
        new("Test images: an MNIST folder (its test split, e.g. from 'make data'), a folder of images (PNG, JPEG, WebP, BMP, GIF; sub-folders = classes), a .csv file or an idx file");

    /// <summary>Adds <paramref name="data"/>'s reading options (after the command's own) to <paramref name="command"/>.</summary>
    public static Command WithReading(this Command command, DataOptionsSet data)
    {
        foreach (Option o in data.Reading) command.Options.Add(o);
        return command;
    }

    public static Option<string> OutOption(string defaultPath) =>
        new("--out") { Description = "PNG to write", DefaultValueFactory = _ => defaultPath };

    /// <summary>Reads an integer option that must be at least <paramref name="minimum"/>.</summary>
    public static int AtLeast(ParseResult parse, Option<int> option, int minimum)
    {
        int value = parse.GetValue(option);
        if (value < minimum) throw new ArgumentException($"{option.Name} is {value}; expected at least {minimum}.", option.Name);
        return value;
    }

    /// <summary>Reads an integer option that must lie in [<paramref name="minimum"/>, <see cref="MostPerSide"/>]: the number of
    /// images along one side of a picture, checked before any decoding (the decoded values of a larger grid would overflow an array).</summary>
    public static int PerSide(ParseResult parse, Option<int> option, int minimum)
    {
        int value = AtLeast(parse, option, minimum);
        if (value > MostPerSide)
            throw new ArgumentException($"{option.Name} is {value}; expected at most {MostPerSide} images per side (a picture of more cannot be viewed; 'vae decode' writes any number as CSV).", option.Name);
        return value;
    }

    /// <summary>Reads <c>--samples</c>, the draws z ~ q(z|x) per sample of the anomaly scores: 1 to
    /// <see cref="VaeModel.MaxAnomalySamples"/>, checked before the model and the data are loaded.</summary>
    public static int Draws(ParseResult parse, Option<int> option)
    {
        int value = AtLeast(parse, option, 1);
        if (value > VaeModel.MaxAnomalySamples)
            throw new ArgumentException($"{option.Name} is {value}; expected at most {VaeModel.MaxAnomalySamples} draws per sample (each one is a decoder pass over the batch).", option.Name);
        return value;
    }

    /// <summary>Most images along one side of a grid picture (<see cref="PerSide"/>).</summary>
    public const int MostPerSide = 200;

    /// <summary>Reads a float option that must be finite and greater than zero.</summary>
    public static float Positive(ParseResult parse, Option<float> option)
    {
        float value = parse.GetValue(option);
        if (!float.IsFinite(value) || value <= 0) throw new ArgumentException($"{option.Name} is {value}; expected a finite value above 0.", option.Name);
        return value;
    }

    /// <summary>
    /// Loads the test images of <c>--data</c> (see <see cref="DataOptions"/>), normalised as the model records (its
    /// <see cref="VaeModelInfo.Normalization"/>, when it has one), and checks that their samples fit <paramref name="vae"/>. <paramref name="limit"/> &gt; 0 keeps only the first that many.
    /// </summary>
    /// <exception cref="ArgumentException">The samples have another size than the model's input.</exception>
    public static Dataset LoadTest(ParseResult parse, DataOptionsSet data, VaeModel vae, int limit = 0) => Load(parse, data, vae, limit, trainSplit: false);

    /// <summary>
    /// Like <see cref="LoadTest"/>; with <paramref name="trainSplit"/>, an MNIST folder gives its 60,000 training images
    /// instead of its test split (other data has no splits and is refused).
    /// </summary>
    public static Dataset Load(ParseResult parse, DataOptionsSet data, VaeModel vae, int limit, bool trainSplit)
    {
        Dataset test = trainSplit ? data.LoadTrainSplitOfData(parse, limit, vae.Info.Normalization) : data.LoadTestOfData(parse, limit, vae.Info.Normalization);
        string path = parse.GetValue(data.Data)!;
        CheckShape(test, vae, data.Data.Name, path);
        CheckRange(test, vae.Info, data.Data.Name, path);
        if (vae.Classes > 0 && test.Labels is null)
            throw new ArgumentException($"the model is conditional ({vae.Classes} classes) and {path} has no labels; give labelled data (images in one sub-folder per class, a CSV with --label-column, an idx file with --labels).", data.Data.Name);
        return test;
    }

    /// <summary>Checks that the samples of <paramref name="data"/> (read from <paramref name="path"/>, given as <paramref name="option"/>) fit the model's input.</summary>
    /// <exception cref="ArgumentException">Another sample size than the model's input.</exception>
    public static void CheckShape(Dataset data, VaeModel vae, string option, string path) => CheckShape(data, vae.Info.ImageShape, option, path);

    /// <summary>Checks that the samples of <paramref name="data"/> have as many values as a model input of shape <paramref name="modelShape"/>.</summary>
    /// <exception cref="ArgumentException">Another sample size.</exception>
    public static void CheckShape(Dataset data, IReadOnlyList<int> modelShape, string option, string path)
    {
        int size = modelShape.Aggregate(1, (a, b) => a * b);
        if (data.SampleSize != size)
            throw new ArgumentException($"the samples of {path} have shape [{string.Join(", ", data.SampleShape)}] ({data.SampleSize} values); " +
                                        $"the model expects [{string.Join(", ", modelShape)}] ({size} values){ImageHint(data, modelShape)}.", option);
    }

    /// <summary>
    /// Checks that the values of <paramref name="data"/>, as read, are values the model's likelihood scores: a Bernoulli
    /// model's inputs lie in [0, 1]. Bytes read with <c>--scale 1</c> gave a Bernoulli model values up to 255 and scores
    /// of 10¹⁸ nats, without an error.
    /// </summary>
    /// <exception cref="ArgumentException">A value outside [0, 1] for a Bernoulli model: names the sample, the value, how the data was read and how the model's inputs were made.</exception>
    public static void CheckRange(Dataset data, VaeModelInfo info, string option, string path)
    {
        if (info.OutputKind != OutputKind.Logits) return;
        int i = data.Features.AsSpan().IndexOfAnyExceptInRange(0f, 1f);
        if (i < 0) return;
        string read = data.Normalization?.Describe() ?? "as they are";
        string trained = info.Normalization?.Describe() ?? (info.PixelScaling is { Length: > 0 } text ? text : "not recorded");
        throw new ArgumentException(
            $"sample {i / data.SampleSize}, value {i % data.SampleSize} of {path} is {data.Features[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
            $"read as {read}; the model has a Bernoulli likelihood, which scores values in [0, 1] (its inputs were {trained}). " +
            "Read the data as the model's inputs were made: leave --scale out (bytes are divided by 255), or give the divisor that brings the values into [0, 1].", option);
    }

    /// <summary>For images of another size or colour than the model's: the reading options that would fit them.</summary>
    private static string ImageHint(Dataset data, IReadOnlyList<int> modelShape)
    {
        if (data.SampleNames is null || data.SampleShape is not [int channels, int height, int width] || modelShape is not [int c, int h, int w]) return "";
        var fixes = new List<string>();
        if (height != h || width != w) fixes.Add($"--resize {h},{w}");
        if (channels == 3 && c == 1) fixes.Add("--grayscale");
        return fixes.Count > 0 ? $"; read the images with {string.Join(" ", fixes)}" : "";
    }

    /// <summary>For a conditional model, reads <c>--class</c> (required, 0 … classes − 1); for an unconditional one, refuses it.</summary>
    public static int? ClassFor(VaeModel vae, ParseResult parse, Option<int?> option, string modelFolder)
    {
        int? label = parse.GetValue(option);
        if (vae.Classes == 0 && label is not null)
            throw new ArgumentException($"{option.Name} needs a conditional model; {modelFolder} has no labels (metadata vae.classes = 0).", option.Name);
        if (vae.Classes > 0 && label is null)
            throw new ArgumentException($"the model is conditional ({vae.Classes} classes); pass {option.Name} <label>.", option.Name);
        if (label is int c && (c < 0 || c >= vae.Classes))
            throw new ArgumentException($"{option.Name} is {c}; expected a label from 0 to {vae.Classes - 1}.", option.Name);
        return label;
    }

    /// <summary>The labels to pass with the samples: none for an unconditional model (labelled data keeps its labels
    /// to itself), all of them for a conditional one.</summary>
    /// <exception cref="ArgumentException">The model is conditional and the data has no labels.</exception>
    internal static int[]? ClassLabels(VaeModel vae, int[]? labels) =>
        vae.Classes == 0 ? null
        : labels ?? throw new ArgumentException($"the model is conditional ({vae.Classes} classes); labels are needed.", nameof(labels));

    /// <summary>What is known of sample <paramref name="i"/> beyond its index, in parentheses with a leading space —
    /// " (label 7)", " (odd/1.png, label 1)" — or "" for unnamed, unlabelled data.</summary>
    public static string About(Dataset data, int i)
    {
        string[] facts = [.. data.SampleNames is { } names ? [names[i]] : Array.Empty<string>(),
                          .. data.Labels is { } labels ? [$"label {labels[i]}"] : Array.Empty<string>()];
        return facts.Length == 0 ? "" : $" ({string.Join(", ", facts)})";
    }

    /// <summary>
    /// How many test samples a command that shows samples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1
    /// needs read (a folder of 200,000 images is not decoded to draw eight): that many, or 0 (all) for a negative
    /// <paramref name="first"/>, so that <see cref="TestIndex"/> reports it against the whole set.
    /// </summary>
    public static int Through(int first, int count) => first < 0 ? 0 : (int)Math.Min(int.MaxValue, (long)first + count);

    /// <summary>Reads a test-image index option and checks that it picks one of the <paramref name="count"/> test images.</summary>
    public static int TestIndex(ParseResult parse, Option<int> option, int count)
    {
        int index = parse.GetValue(option);
        if (index < 0 || index >= count)
            throw new ArgumentException($"{option.Name} is {index}; expected a test image index from 0 to {count - 1}.", option.Name);
        return index;
    }
}
