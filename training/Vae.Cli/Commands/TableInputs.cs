using System.CommandLine;
using Vae.Cli.Tables;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// Options shared by the commands that write one CSV row per sample (<c>encode</c>, <c>score</c>): the model, the data
/// and how to read it, the MNIST split, how many samples, and the output path.
/// </summary>
internal sealed class TableInputs
{
    public readonly Option<string> Model = PictureInputs.ModelOption();

    public readonly DataOptionsSet Data = new("Samples: an MNIST folder (its test split; --split train for its training images), a folder of images (PNG, JPEG, WebP, BMP, GIF; sub-folders = classes), a .csv file or an idx file");

    public readonly Option<string> Split = new("--split") { Description = "MNIST folders: test (t10k, 10,000 images) or train (60,000)", DefaultValueFactory = _ => "test" };

    public readonly Option<int> Count = new("--count") { Description = "Only the first N samples (0: all)", DefaultValueFactory = _ => 0 };

    public readonly Option<string> Out;

    public TableInputs(string defaultOut) =>
        Out = new Option<string>("--out") { Description = "CSV to write (- for standard output)", DefaultValueFactory = _ => defaultOut };

    /// <summary>Adds the model, data, split, count and output options, then the command's <paramref name="own"/> options,
    /// then the data's reading options, to <paramref name="command"/>.</summary>
    public Command AddTo(Command command, params Option[] own)
    {
        Option[] all = [Model, Data.Data, Split, Count, Out, .. own];
        foreach (Option o in all) command.Options.Add(o);
        return command.WithReading(Data);
    }

    /// <summary>The output path, checked to be a .csv or <c>-</c> before any work is done.</summary>
    public string OutPath(ParseResult parse)
    {
        string path = parse.GetValue(Out)!;
        CsvTable.CheckPath(path);
        return path;
    }

    /// <summary>Loads the samples of <c>--data</c> (the chosen split, the first <c>--count</c>) and checks that they fit <paramref name="vae"/>.</summary>
    public Dataset Load(ParseResult parse, VaeModel vae)
    {
        string split = parse.GetValue(Split)!;
        if (split is not ("test" or "train")) throw new ArgumentException($"--split is '{split}'; expected test or train.", "--split");
        return PictureInputs.Load(parse, Data, vae, PictureInputs.AtLeast(parse, Count, 0), trainSplit: split == "train");
    }

    /// <summary>Writes the first cells of sample <paramref name="i"/>'s row: its index, its file when the data names its samples
    /// (an image folder), and its label when the data has labels.</summary>
    public static void RowStart(CsvTable table, Dataset data, int i)
    {
        table.Cell(i);
        if (data.SampleNames is { } names) table.Cell(names[i]);
        if (data.Labels is { } labels) table.Cell(labels[i]);
    }

    /// <summary>The first column names: <c>index</c>, <c>file</c> when the data names its samples, <c>label</c> when it has labels.</summary>
    public static IEnumerable<string> KeyColumns(Dataset data)
    {
        yield return "index";
        if (data.SampleNames is not null) yield return "file";
        if (data.Labels is not null) yield return "label";
    }

    /// <summary>Prints "wrote <paramref name="path"/> (<paramref name="detail"/>)": on standard error when the table itself went to standard output.</summary>
    public static void ReportWritten(string path, string detail)
    {
        bool piped = path == CsvTable.StandardOutput;
        (piped ? Console.Error : Console.Out).WriteLine($"wrote {(piped ? "standard output" : path)} ({detail})");
    }
}
