using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Cli.Tables;
using Vae.Inference;
using Vae.Training.Data;
using Vae.Training.Missing;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae impute</c>: fills in missing values with the model (<see cref="VaeModel.Impute(float[], bool[], int, int[])"/>) — the
/// data's own (empty or NaN CSV cells) or values hidden on purpose (bottom half, at random) — and writes the completed data
/// as CSV (observed values exactly as the file holds them) or a picture of masked / imputed / true rows. When values were
/// hidden, it scores the imputation on them against filling each value with its column's observed mean.
/// </summary>
internal static class ImputeCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var mask = new Option<string>("--mask") { Description = "Which values are missing: from-data (the data's empty or NaN CSV cells), bottom-half (rows H/2.. of every image) or random:P (each value with probability P)", DefaultValueFactory = _ => "bottom-half" };
        var output = new Option<string>("--out") { Description = "Completed data as .csv (- for standard output; missing values replaced, observed ones as the file holds them), or a .png of masked / imputed / true rows", DefaultValueFactory = _ => "out/imputed.png" };
        var count = new Option<int>("--count") { Description = "Samples to impute, the first N (0: all)", DefaultValueFactory = _ => 0 };
        var iterations = new Option<int>("--iterations") { Description = "Reconstruct-and-replace passes", DefaultValueFactory = _ => VaeModelDefaults.ImputeIterations };
        var seed = new Option<int>("--seed") { Description = "Seed of a random mask", DefaultValueFactory = _ => 1 };
        var columns = new Option<int>("--columns") { Description = "PNG output: samples drawn (the first N)", DefaultValueFactory = _ => 10 };
        var missingMask = new Option<string?>("--missing-mask") { Description = "With --mask from-data: a file of 0/1 flags beside the data (CSV or idx, one row per sample, one flag per value; 0 = missing), for data that cannot hold gaps itself such as images" };

        var command = new Command("impute", "Fill in missing values (the data's own, or hidden on purpose) with the model; write the completed data as CSV or draw masked / imputed / true rows, and score the imputation against mean filling.")
        {
            model, data.Data, mask, output, count, iterations, seed, columns, missingMask,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            bool png = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
            if (png) PngFile.CheckPath(path);
            else CsvTable.CheckPath(path);
            MissingMask rule = MissingMask.Parse(parse.GetValue(mask)!, mask.Name);
            int limit = PictureInputs.AtLeast(parse, count, 0), passes = PictureInputs.AtLeast(parse, iterations, 1);
            int shown = PictureInputs.AtLeast(parse, columns, 1);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            bool fromData = rule.Kind == MaskKind.FromData;
            Dataset set = data.LoadTestOfData(parse, limit, vae.Info.Normalization, allowMissing: fromData);
            string? maskPath = parse.GetValue(missingMask);
            if (maskPath is not null && !fromData)
                throw new ArgumentException($"--missing-mask says which values are missing; it goes with --mask from-data, not {rule}.", missingMask.Name);
            if (maskPath is not null) set = MaskFile.Apply(set, maskPath);
            PictureInputs.CheckShape(set, vae, data.Data.Name, parse.GetValue(data.Data)!);
            if (vae.Classes > 0 && set.Labels is null)
                throw new ArgumentException($"the model is conditional ({vae.Classes} classes) and {parse.GetValue(data.Data)} has no labels; give labelled data.", data.Data.Name);
            bool[] observed = rule.Observed(set, parse.GetValue(seed));
            int missing = observed.Count(o => !o);
            if (missing == 0)
                throw new ArgumentException($"{parse.GetValue(data.Data)} has no missing values; hide some with --mask bottom-half or --mask random:P.", mask.Name);

            float[] completed = Impute(vae, set, observed, passes);
            string scored = "";
            if (rule.HidesValues)
            {
                ImputationScore score = ImputationScore.Measure(set.Features, observed, completed, set.SampleSize);
                scored = string.Create(CultureInfo.InvariantCulture,
                    $"; MSE on the hidden values: imputed {score.ImputedMse:F5}, column-mean fill {score.MeanFillMse:F5} ({Math.Abs(score.Improvement) * 100:F1}% {(score.Improvement >= 0 ? "lower" : "higher")})");
            }
            if (png)
            {
                var (w, h) = Draw(path, vae, set, observed, completed, Math.Min(shown, set.Count), rule);
                Console.WriteLine($"wrote {path} ({w}×{h}: {Math.Min(shown, set.Count)} samples, mask {rule}){scored}");
                return;
            }
            Dataset raw = data.LoadTestOfData(parse, limit, allowMissing: fromData, raw: true);
            if (maskPath is not null) raw = MaskFile.Apply(raw, maskPath);
            WriteCsv(path, raw, set, observed, completed);
            TableInputs.ReportWritten(path, $"{set.Count:N0} rows, {missing:N0} missing values imputed under mask {rule} with {passes} pass{(passes == 1 ? "" : "es")}{scored}");
        }));
        return command;
    }

    /// <summary>The completed samples; observed values are the model-space inputs unchanged.</summary>
    private static float[] Impute(VaeModel vae, Dataset set, bool[] observed, int passes) =>
        vae.Impute(set.Features, observed, passes, PictureInputs.ClassLabels(vae, set.Labels));

    /// <summary>Each row as the file holds it, with the missing values replaced by the imputed ones brought back to raw units.</summary>
    private static void WriteCsv(string path, Dataset raw, Dataset set, bool[] observed, float[] completed)
    {
        var imputed = (float[])completed.Clone();
        set.Normalization?.Invert(imputed, imputed, set.SampleSize);
        CsvTable.Save(path, table =>
        {
            table.Header(CsvTable.Numbered("x", set.SampleSize).Concat(set.Labels is null ? [] : ["label"]));
            for (int s = 0; s < set.Count; s++)
            {
                for (int j = 0; j < set.SampleSize; j++)
                {
                    int i = s * set.SampleSize + j;
                    table.Cell(observed[i] ? raw.Features[i] : imputed[i]);
                }
                if (set.Labels is not null) table.Cell(set.Labels[s]);
                table.EndRow();
            }
        });
    }

    /// <summary>Masked (missing values mid-grey), imputed and — for hidden values — true rows of the first <paramref name="n"/> samples.</summary>
    private static (int Width, int Height) Draw(string path, VaeModel vae, Dataset set, bool[] observed, float[] completed, int n, MissingMask rule)
    {
        int size = vae.InputSize;
        var masked = new float[n * size];
        for (int i = 0; i < masked.Length; i++) masked[i] = observed[i] ? set.Features[i] : 0.5f;
        var grid = new ImageGrid(vae.Info.ImageShape, n)
        {
            Title = $"Imputation of samples 0–{n - 1}, mask {rule} (missing shown grey)",
            RowLabels = rule.HidesValues ? ["masked", "imputed", "truth"] : ["masked", "imputed"],
        };
        grid.AddBatch(masked);
        grid.AddBatch(completed.AsSpan(0, n * size));
        if (rule.HidesValues) grid.AddBatch(set.Features.AsSpan(0, n * size));
        return grid.Save(path);
    }
}

/// <summary>Defaults the CLI shares with the inference library.</summary>
internal static class VaeModelDefaults
{
    /// <summary><see cref="VaeModel.Impute(float[], bool[], int, int[])"/>'s default number of passes.</summary>
    public const int ImputeIterations = 10;
}
