using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Training;
using Xunit.Abstractions;

namespace Vae.Cli.Tests.Fuzz;

/// <summary>
/// The metrics table <c>vae curves</c> draws (a run's metrics.csv, or any numeric CSV with a header) on mutated files:
/// read with every cell as the file has it, or an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public class MetricsTableFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Metrics_tables_are_read_cell_for_cell_or_refused_naming_the_file()
    {
        string valid = EpochMetrics.CsvHeader + "\n" + string.Concat(Enumerable.Range(1, 4).Select(e =>
            new EpochMetrics(e, 150.0 / e, new SetMetrics(150.0 / e, 140.0 / e, 10), e % 2 == 0 ? new SetMetrics(160.0 / e, 150.0 / e, 10) : null, null, 7, 1e-3, 1, 0.5).ToCsv() + "\n"));
        string root = RepoPaths.NewTempFolder();
        FuzzRunner.Run("metrics.csv (curves)", FuzzRunner.Cases(2500), seed: 9_000, (random, i) =>
        {
            var (text, what) = FuzzMutator.Csv(valid, random);
            string path = Path.Combine(root, $"case{i}.csv");
            File.WriteAllText(path, text);
            return new FuzzCase
            {
                Description = what,
                IsClearError = e => e is InvalidDataException && e.Message.Contains(path, StringComparison.Ordinal),
                Read = () =>
                {
                    MetricsTable table = MetricsTable.Load(path);
                    string[] lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
                    if (table.RowCount != lines.Length - 1) throw new FuzzMismatch($"{table.RowCount} rows; the file has {lines.Length - 1}");
                    for (int c = 0; c < table.Names.Count; c++)
                        for (int r = 1; r < lines.Length; r++)
                        {
                            string cell = lines[r].Split(',')[c].Trim();
                            double expected = cell.Length == 0 || cell.Equals("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);
                            if (!table[table.Names[c]]![r - 1].Equals(expected)) throw new FuzzMismatch($"row {r}, column {table.Names[c]} is {table[table.Names[c]]![r - 1]}, the file says '{cell}'");
                        }
                },
            };
        }, output);
    }
}
