using System.CommandLine;
using Vae.Cli.Pictures;
using Vae.Cli.Tables;
using Vae.Inference;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae decode</c>: latent codes from a CSV file (e.g. written by <c>vae encode</c>) through the decoder, written as CSV
/// (one row of decoded values per code: probabilities for Bernoulli models, means for Gaussian ones; in the raw data's
/// units for a model whose input normalisation was fitted at training) or drawn as a PNG grid.
/// </summary>
internal static class DecodeCommand
{
    /// <summary>A PNG grid holds at most this many images (a larger grid is no longer a picture one can look at).</summary>
    private const int MaxPictures = 1024;

    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var codes = new Option<string>("--codes") { Description = "CSV of latent codes, one per row: with a header, columns z_0 … or mean_0 … and label (as 'vae encode' writes); without one, the code values (and --label-column)", Required = true };
        var labelColumn = new Option<int?>("--label-column") { Description = "Codes file without a header: 0-based column of the class label (conditional models)" };
        var count = new Option<int>("--count") { Description = "Only the first N codes (0: all)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "CSV of decoded values (- for standard output), or a .png grid of the decoded images", DefaultValueFactory = _ => "out/decoded.csv" };
        var columns = new Option<int>("--columns") { Description = "PNG output: images per row", DefaultValueFactory = _ => 10 };
        var normalized = new Option<bool>("--normalized") { Description = "CSV output of a model trained with --normalize: write the values as the model outputs them, without inverting its input normalisation into raw units" };

        var command = new Command("decode", "Decode latent codes from a CSV file (e.g. from 'vae encode') into a CSV of decoded values, or a PNG grid.")
        {
            model, codes, labelColumn, count, output, columns, normalized,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            bool png = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
            if (!png) CsvTable.CheckPath(path);
            int limit = PictureInputs.AtLeast(parse, count, 0), perRow = PictureInputs.AtLeast(parse, columns, 1);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            // a label column is a conditional model's: on an unconditional one it would drop a column of the codes
            if (parse.GetValue(labelColumn) is int column && vae.Classes == 0)
                throw new ArgumentException($"--label-column is {column}, but it is for conditional models; {parse.GetValue(model)} is unconditional (classes 0), so every column of the codes file is a code value.", labelColumn.Name);
            LatentCodesFile.Codes read = LatentCodesFile.Read(parse.GetValue(codes)!, vae.LatentSize, vae.Classes, parse.GetValue(labelColumn));
            int n = limit > 0 ? Math.Min(limit, read.Count) : read.Count;
            float[] z = read.Values.AsSpan(0, n * vae.LatentSize).ToArray();
            int[]? labels = read.Labels?[..n];
            if (png && n > MaxPictures)
                throw new ArgumentException($"--out is a PNG and the codes file has {n:N0} codes; a grid draws at most {MaxPictures:N0} (use --count, or a .csv).", "--out");
            float[] decoded = vae.Decode(z, PictureInputs.ClassLabels(vae, labels));

            if (png)
            {
                var picture = new ImageGrid(vae.Info.ImageShape, Math.Min(perRow, n)) { Title = $"{n} decoded codes from {Path.GetFileName(parse.GetValue(codes))}" };
                for (int i = 0; i < n; i++)
                    picture.Add(decoded.AsSpan(i * vae.InputSize, vae.InputSize), labels is null ? null : $"label {labels[i]}");
                var (w, h) = picture.Save(path);
                Console.WriteLine($"wrote {path} ({w}×{h}, {n} images; codes from {read.Columns})");
                return;
            }
            // a standardised model's outputs are in standard deviations: a table is read in the data's own units
            InputNormalization? raw = parse.GetValue(normalized) ? null : vae.Info.Normalization is { IsFitted: true } fitted ? fitted : null;
            raw?.Invert(decoded, decoded, vae.InputSize);
            CsvTable.Save(path, table =>
            {
                table.Header(CsvTable.Numbered("x", vae.InputSize));
                for (int i = 0; i < n; i++)
                {
                    table.Cells(decoded.AsSpan(i * vae.InputSize, vae.InputSize));
                    table.EndRow();
                }
            });
            string values = vae.Info.OutputKind == OutputKind.Logits ? "probabilities" : "means";
            TableInputs.ReportWritten(path, $"{n:N0} rows of {vae.InputSize} decoded {values}{(raw is null ? "" : " in raw units (the model's input normalisation inverted)")}; codes from {read.Columns}");
        }));
        return command;
    }
}
