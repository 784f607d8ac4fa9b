using System.Globalization;
using System.Text.RegularExpressions;
using Vae.Training.Data;

namespace Vae.Cli.Tables;

/// <summary>
/// Reads latent codes from a CSV file, one code per row. A file with a header row (a first row that is not all numbers)
/// is read by column name: the codes are <c>z_0 … z_{L−1}</c>, else <c>mean_0 … mean_{L−1}</c> (what <c>vae encode</c>
/// writes), and the class label is <c>label</c>. A file without a header holds the L values per row, plus the label
/// column named by <c>--label-column</c>. Malformed files raise a <see cref="DataFormatException"/> naming the row and
/// column (1-based, as editors show them).
/// </summary>
internal static partial class LatentCodesFile
{
    /// <summary>Codes read from a file: N × latent values, a label per code for conditional models, and how they were found.</summary>
    public sealed record Codes(float[] Values, int[]? Labels, int Count, string Columns);

    /// <summary>
    /// Reads codes of <paramref name="latentSize"/> values from <paramref name="path"/>; for a conditional model
    /// (<paramref name="classes"/> &gt; 0) also a label per row, from 0 to classes − 1. <paramref name="labelColumn"/>
    /// (0-based) names the label column of a file without a header.
    /// </summary>
    /// <exception cref="DataFormatException">Missing or extra code columns, a ragged row, a value that is not a finite
    /// number, a missing or out-of-range label, or no rows.</exception>
    public static Codes Read(string path, int latentSize, int classes, int? labelColumn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"codes file not found: {path}; expected a CSV of latent codes, e.g. written by 'vae encode'.", path);
        using var reader = new StreamReader(path);
        var values = new List<float>();
        var labels = new List<int>();
        int[]? codeColumns = null;
        int? label = labelColumn;
        int columns = -1, row = 0;
        string description = "";
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            row++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] cells = CsvRow.Split(line, path, row);
            if (codeColumns is null)
            {
                columns = cells.Length;
                bool header = cells.Any(c => !double.TryParse(c.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                (codeColumns, label, description) = header
                    ? ByName(path, cells.Select(c => c.Trim()).ToArray(), latentSize, labelColumn)
                    : ByPosition(path, columns, latentSize, labelColumn);
                if (classes > 0 && label is null)
                    throw new DataFormatException(path, $"the model is conditional ({classes} classes) and the file has no label column; expected a 'label' column in the header, or --label-column.");
                if (header) continue;
            }
            else if (cells.Length != columns)
                throw new DataFormatException(path, $"row {row} has {cells.Length} columns; the first row has {columns}.");
            foreach (int c in codeColumns) values.Add((float)Number(path, cells[c], row, c));
            if (classes > 0)
            {
                int c = label!.Value;
                double v = Number(path, cells[c], row, c);
                if (v != Math.Floor(v) || v < 0 || v >= classes)
                    throw new DataFormatException(path, $"row {row}, column {c + 1}: label '{cells[c].Trim()}' is not a class of the model; expected an integer from 0 to {classes - 1}.");
                labels.Add((int)v);
            }
        }
        if (values.Count == 0) throw new DataFormatException(path, "no rows of codes.");
        return new Codes(values.ToArray(), classes > 0 ? labels.ToArray() : null, values.Count / latentSize, description);
    }

    private static (int[] Codes, int? Label, string Description) ByName(string path, string[] names, int latentSize, int? labelColumn)
    {
        foreach (string prefix in new[] { "z", "mean" })
        {
            var numbered = names.Select((name, column) => (Match: CodeName().Match(name), Column: column))
                                .Where(m => m.Match.Success && m.Match.Groups[1].Value == prefix)
                                // a number beyond int (mean_99999999999) is no code column of any model: -1 fails the check below
                                .Select(m => (Text: m.Match.Groups[2].Value, Index: int.TryParse(m.Match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : -1, m.Column))
                                .OrderBy(m => m.Index).ToArray();
            if (numbered.Length == 0) continue;
            if (numbered.Length != latentSize || numbered.Select(m => m.Index).Where((index, i) => index != i).Any())
                throw new DataFormatException(path, $"the header has {prefix} columns {string.Join(", ", numbered.Select(m => $"{prefix}_{m.Text}"))}; " +
                                                    $"the model's latent has {latentSize} values, expected {prefix}_0 … {prefix}_{latentSize - 1}.");
            int? label = labelColumn ?? (Array.IndexOf(names, "label") is int l and >= 0 ? l : null);
            CheckColumn(path, label, names.Length);
            return (numbered.Select(m => m.Column).ToArray(), label, $"{prefix}_0 … {prefix}_{latentSize - 1}");
        }
        throw new DataFormatException(path, $"the header ({string.Join(", ", names.Take(8))}{(names.Length > 8 ? ", …" : "")}) has no code columns; " +
                                            $"expected z_0 … z_{latentSize - 1} or mean_0 … mean_{latentSize - 1}, or a file of numbers without a header.");
    }

    private static (int[] Codes, int? Label, string Description) ByPosition(string path, int columns, int latentSize, int? labelColumn)
    {
        CheckColumn(path, labelColumn, columns);
        int[] codes = Enumerable.Range(0, columns).Where(c => c != labelColumn).ToArray();
        if (codes.Length != latentSize)
            throw new DataFormatException(path, $"rows have {codes.Length} code values{(labelColumn is null ? "" : " besides the label column")}; the model's latent has {latentSize}.");
        return (codes, labelColumn, labelColumn is null ? $"all {columns} columns" : $"every column but {labelColumn}");
    }

    private static void CheckColumn(string path, int? column, int columns)
    {
        if (column is int c && (c < 0 || c >= columns))
            throw new DataFormatException(path, $"label column {c} (0-based) does not exist; the first row has {columns} columns.");
    }

    private static double Number(string path, string cell, int row, int column) => CsvRow.Float(path, row, column, cell.AsSpan().Trim());

    [GeneratedRegex(@"^(z|mean)_(\d+)$")]
    private static partial Regex CodeName();
}
