using System.Globalization;

namespace Vae.Cli.Pictures;

/// <summary>A numeric CSV with a header row, such as a run's <c>metrics.csv</c>; columns are read by name.</summary>
internal sealed class MetricsTable
{
    private readonly Dictionary<string, double[]> columns;

    private MetricsTable(IReadOnlyList<string> names, Dictionary<string, double[]> columns)
    {
        Names = names;
        this.columns = columns;
    }

    /// <summary>Column names in file order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of data rows.</summary>
    public int RowCount => columns.Count == 0 ? 0 : columns.Values.First().Length;

    /// <summary>Values of a column (NaN where a cell is empty), or null when there is no such column.</summary>
    public double[]? this[string name] => columns.GetValueOrDefault(name);

    /// <summary>Reads <paramref name="path"/>. Empty cells (and "nan") become NaN; anything else must be a number.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">No header, no rows, a ragged row, a repeated column or a non-numeric cell.</exception>
    public static MetricsTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"metrics file not found: {path} ('vae train' writes metrics.csv into its run folder).", path);
        string[] lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length < 2) throw new InvalidDataException($"{path}: {lines.Length} non-empty lines; expected a header row and at least one row of values.");
        string[] names = lines[0].Split(',').Select(n => n.Trim()).ToArray();
        if (names.Any(n => n.Length == 0)) throw new InvalidDataException($"{path}: the header '{lines[0]}' has an empty column name.");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length) throw new InvalidDataException($"{path}: the header '{lines[0]}' repeats a column name.");

        var values = names.Select(_ => new double[lines.Length - 1]).ToArray();
        for (int row = 1; row < lines.Length; row++)
        {
            string[] cells = lines[row].Split(',');
            if (cells.Length != names.Length)
                throw new InvalidDataException($"{path}, line {row + 1}: {cells.Length} values; expected {names.Length} (one per header column).");
            for (int c = 0; c < cells.Length; c++)
            {
                string cell = cells[c].Trim();
                if (cell.Length == 0 || cell.Equals("nan", StringComparison.OrdinalIgnoreCase)) values[c][row - 1] = double.NaN;
                else if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out values[c][row - 1]))
                    throw new InvalidDataException($"{path}, line {row + 1}, column '{names[c]}': '{cell}' is not a number.");
            }
        }
        return new MetricsTable(names, names.Select((n, c) => (n, c)).ToDictionary(p => p.n, p => values[p.c], StringComparer.Ordinal));
    }
}
