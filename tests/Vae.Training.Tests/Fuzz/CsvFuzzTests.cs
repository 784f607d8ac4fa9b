using System.Globalization;
using System.Text;
using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Data;
using Xunit.Abstractions;

namespace Vae.Training.Tests.Fuzz;

/// <summary>
/// The CSV reader on mutated files (with and without a header row and a label column): a file is read exactly as an
/// independent parser of the format reads it, or refused with a <see cref="DataFormatException"/> naming the file; a
/// valid file is never refused.
/// </summary>
public class CsvFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Csv_files_are_read_exactly_or_refused_naming_the_file()
    {
        string folder = RepoPaths.NewTempFolder();
        FuzzRunner.Run("CSV", FuzzRunner.Cases(2500), seed: 3_000, (random, i) =>
        {
            bool header = random.Next(2) == 0;
            int columns = 2 + random.Next(4);
            int? labelColumn = random.Next(2) == 0 ? random.Next(columns) : null;
            var (text, what) = FuzzMutator.Csv(Valid(random, header, columns, labelColumn), random);
            string path = Path.Combine(folder, $"case{i}.csv");
            File.WriteAllText(path, text);
            var options = new DataOptions { CsvHeader = header, LabelColumn = labelColumn, Scale = 1 };
            string content = File.ReadAllText(path);
            return new FuzzCase
            {
                Description = $"{what} (header {header}, label column {labelColumn?.ToString(CultureInfo.InvariantCulture) ?? "none"})",
                IsClearError = e => e is DataFormatException && e.Message.Contains(path, StringComparison.Ordinal),
                Read = () =>
                {
                    var expected = Reference(content, header, labelColumn);
                    Dataset data;
                    try
                    {
                        data = DataSource.Load(path, options);
                    }
                    catch (DataFormatException e) when (expected is not null)
                    {
                        throw new FuzzMismatch($"refused a valid file: {e.Message}");
                    }
                    if (expected is not { } x)
                        throw new FuzzMismatch($"read {data.Count} rows, but the file is not a valid CSV of numbers");
                    if (!data.Features.AsSpan().SequenceEqual(x.Values) || !(data.Labels ?? []).AsSpan().SequenceEqual(x.Labels ?? []))
                        throw new FuzzMismatch($"read {data.Count} rows of {data.SampleSize} values, expected {x.Values.Length / Math.Max(1, x.Features)} of {x.Features}, or other values");
                },
            };
        }, output);
    }

    private static string Valid(Random random, bool header, int columns, int? labelColumn)
    {
        var text = new StringBuilder();
        if (header) text.Append(string.Join(',', Enumerable.Range(0, columns).Select(c => $"c{c}"))).Append('\n');
        int rows = 2 + random.Next(6);
        for (int r = 0; r < rows; r++)
        {
            text.Append(string.Join(',', Enumerable.Range(0, columns).Select(c => c == labelColumn
                ? random.Next(5).ToString(CultureInfo.InvariantCulture)
                : FuzzMutator.Invariant(Math.Round(random.NextDouble() * 10 - 5, random.Next(6))))));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The CSV format written out again, for comparison: values, labels and features per row, or null when invalid.</summary>
    private static (float[] Values, int[]? Labels, int Features)? Reference(string content, bool header, int? labelColumn)
    {
        var values = new List<float>();
        var labels = labelColumn is null ? null : new List<int>();
        int columns = -1, row = 0;
        foreach (string line in Lines(content))
        {
            row++;
            if (row == 1 && header) continue;
            if (string.IsNullOrWhiteSpace(line)) continue;
            List<string>? cells = Cells(line);
            if (cells is null) return null;
            if (columns < 0)
            {
                columns = cells.Count;
                if (labelColumn >= columns) return null;
            }
            else if (cells.Count != columns) return null;
            for (int c = 0; c < cells.Count; c++)
            {
                string cell = cells[c].Trim();
                if (c == labelColumn)
                {
                    if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double l) || !double.IsFinite(l) || l != Math.Floor(l) || l < 0 || l >= Dataset.MaxClasses) return null;
                    labels!.Add((int)l);
                }
                else
                {
                    if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v)) return null;
                    values.Add(v);
                }
            }
        }
        int features = columns - (labelColumn is null ? 0 : 1);
        if (columns < 0 || features == 0) return null;
        return ([.. values], labels?.ToArray(), features);
    }

    /// <summary>Lines as a text reader splits them: at LF, CR or CR LF.</summary>
    private static IEnumerable<string> Lines(string content)
    {
        int start = 0;
        for (int i = 0; i < content.Length; i++)
        {
            if (content[i] is not ('\n' or '\r')) continue;
            yield return content[start..i];
            if (content[i] == '\r' && i + 1 < content.Length && content[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < content.Length) yield return content[start..];
    }

    /// <summary>RFC 4180 cells of one line ("" inside quotes is a quote), or null when a quote is left open.</summary>
    private static List<string>? Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        if (quoted) return null;
        cells.Add(cell.ToString());
        return cells;
    }
}
