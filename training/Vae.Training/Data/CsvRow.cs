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
}
