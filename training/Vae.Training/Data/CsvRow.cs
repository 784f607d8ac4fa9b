using System.Globalization;
using System.Text;

namespace Vae.Training.Data;

/// <summary>Splits one CSV line into its cells (RFC 4180: a cell in double quotes may hold commas, and "" inside it is one quote).</summary>
public static class CsvRow
{
    /// <summary>The cells of <paramref name="line"/>, quotes removed; a line without quotes is split on commas only.</summary>
    /// <param name="line">One line of the file.</param>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="row">The line's 1-based number, for the error message.</param>
    /// <exception cref="DataFormatException">A quoted cell is still open at the end of the line (cells spanning lines are not read).</exception>
    public static string[] Split(string line, string path, int row)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.Contains('"')) return line.Split(',');
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        if (quoted) throw new DataFormatException(path, $"row {row}, column {cells.Count + 1}: a quoted cell is not closed before the end of the line.");
        cells.Add(cell.ToString());
        return [.. cells];
    }

    /// <summary>
    /// One cell as float32, parsed straight to it (correctly rounded once; text beyond float32's range is refused, not
    /// read as infinity). Shared by the data and latent-code readers, so a file reads the same in both.
    /// </summary>
    /// <param name="path">The file, for the error message.</param>
    /// <param name="row">The cell's 1-based row, for the error message.</param>
    /// <param name="column">The cell's 0-based column (the message shows it 1-based).</param>
    /// <param name="cell">The cell's text, trimmed.</param>
    /// <param name="mayBeHeader">Row 1 of a file read without a header: a failure there suggests reading it as one.</param>
    /// <exception cref="DataFormatException">Not a number, or not finite in float32.</exception>
    public static float Float(string path, int row, int column, ReadOnlySpan<char> cell, bool mayBeHeader = false)
    {
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
            throw new DataFormatException(path, $"row {row}, column {column + 1}: '{cell}' is not a number{NotANumberHint(cell, mayBeHeader)}.");
        if (!float.IsFinite(v))
            throw new DataFormatException(path, $"row {row}, column {column + 1}: '{cell}' is not finite in float32.");
        return v;
    }

    /// <summary>The likely cause, for the two mistakes seen most: another separator, and a header row read as data.</summary>
    internal static string NotANumberHint(ReadOnlySpan<char> cell, bool mayBeHeader) =>
        cell.IndexOfAny(";\t") >= 0 ? " (columns must be separated by commas; this row seems to use another separator)"
        : mayBeHeader ? $" (if row 1 holds column names, read it as a header: {DataOptions.Name(nameof(DataOptions.CsvHeader))})"
        : "";
}
