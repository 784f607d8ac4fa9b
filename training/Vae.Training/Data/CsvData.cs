using System.Globalization;
using System.IO.Compression;

namespace Vae.Training.Data;

/// <summary>
/// Reads a CSV file of numbers (plain or gzip): one sample per row, optionally a header row and an integer label
/// column; cells may be quoted (RFC 4180, <see cref="CsvRow"/>); values are scaled as configured. Ragged rows,
/// non-numeric and non-finite values raise a <see cref="DataFormatException"/> naming the file, the row and the column
/// (both 1-based, as editors show them).
/// </summary>
public static class CsvData
{
    /// <summary>Loads <paramref name="path"/> with <paramref name="options"/> (header, label column, scale, shape).</summary>
    public static Dataset Load(string path, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using TextReader reader = Open(path);
        var values = new List<float>();
        var labels = options.LabelColumn is null ? null : new List<int>();
        int columns = -1, row = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            row++;
            if (row == 1 && options.CsvHeader) continue;
            if (string.IsNullOrWhiteSpace(line)) continue;
            // plain rows (the common case) are cut in place; only rows with quotes go through the RFC 4180 splitter
            string[]? quoted = line.Contains('"') ? CsvRow.Split(line, path, row) : null;
            int cells = quoted?.Length ?? line.AsSpan().Count(',') + 1;
            if (columns < 0)
            {
                columns = cells;
                if (options.LabelColumn is { } lc && (lc < 0 || lc >= columns))
                    throw new DataFormatException(path, $"label column {lc} (0-based) does not exist; row {row} has {columns} columns.");
            }
            else if (cells != columns)
                throw new DataFormatException(path, $"row {row} has {cells} columns; the first data row has {columns}.");
            ReadOnlySpan<char> rest = line;
            for (int c = 0; c < cells; c++)
            {
                ReadOnlySpan<char> cell;
                if (quoted is not null) cell = quoted[c].AsSpan().Trim();
                else
                {
                    int comma = rest.IndexOf(',');
                    cell = (comma < 0 ? rest : rest[..comma]).Trim();
                    rest = comma < 0 ? default : rest[(comma + 1)..];
                }
                if (c == options.LabelColumn) labels!.Add(Label(path, row, c, cell, options));
                else values.Add(CsvRow.Float(path, row, c, cell, mayBeHeader: row == 1 && !options.CsvHeader));
            }
        }
        if (columns < 0) throw new DataFormatException(path, "no data rows.");
        int features = columns - (options.LabelColumn is null ? 0 : 1);
        if (features == 0) throw new DataFormatException(path, "the only column is the label; expected feature columns too.");
        int[] shape = options.Shape ?? [features];
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new DataFormatException(path, $"the sample shape is [{string.Join(", ", shape)}]; expected positive dimensions such as 1,28,28.");
        // the product in full: in int, [100000, 100000, 100000] wrapped to a negative size
        if (Models.WeightLimits.Size(shape) is var size && size != features)
            throw new DataFormatException(path, $"rows have {features} values but the sample shape [{string.Join(", ", shape)}] needs {size}.");
        return Normalizing.Apply(new Dataset(values.ToArray(), shape, labels?.ToArray()), options, path);
    }

    private static int Label(string path, int row, int column, ReadOnlySpan<char> cell, DataOptions options)
    {
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new DataFormatException(path, $"row {row}, column {column + 1}: '{cell}' is not a number{CsvRow.NotANumberHint(cell, row == 1 && !options.CsvHeader)}.");
        if (!double.IsFinite(v) || v != Math.Floor(v) || v < 0)
            throw new DataFormatException(path, $"row {row}, column {column + 1}: label '{cell}' is not a non-negative integer.");
        if (v >= Dataset.MaxClasses)
            throw new DataFormatException(path, $"row {row}, column {column + 1}: label {cell} is not a class index: labels run from 0 to {Dataset.MaxClasses - 1} " +
                                                "(one per class, numbered from 0); is this column an id rather than a class?");
        return (int)v;
    }

    private static TextReader Open(string path)
    {
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream);
    }
}
