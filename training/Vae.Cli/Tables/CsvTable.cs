using System.Globalization;
using System.Text;
using Vae.Training;

namespace Vae.Cli.Tables;

/// <summary>
/// Writes a table of numbers as CSV: a header row, then one row per sample; floats as their shortest round-trip text
/// (invariant culture), so reading the file back gives the same float32 values bit for bit; text cells are quoted as
/// <see cref="Vae.Training.Data.CsvRow"/> reads them. Not thread-safe.
/// </summary>
internal sealed class CsvTable
{
    /// <summary>The <c>--out</c> value that writes to standard output instead of a file.</summary>
    public const string StandardOutput = "-";

    private readonly TextWriter text;
    private readonly char[] buffer = new char[32];
    private bool rowStarted;

    private CsvTable(TextWriter text) => this.text = text;

    /// <summary>Checks, before any work is done, that <paramref name="path"/> is <c>-</c> or names a .csv file.</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static void CheckPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("--out is empty; expected a .csv path, or - for standard output.", "--out");
        if (path != StandardOutput && !path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--out is '{path}'; expected a path ending in .csv, or - for standard output.", "--out");
        if (path != StandardOutput) OutputPath.CheckFile(path, "--out");
    }

    /// <summary>
    /// Lets <paramref name="write"/> fill the table, then puts it at <paramref name="path"/>: through a temporary file and
    /// a rename (a failure never leaves a half-written file), or on standard output for <c>-</c>.
    /// </summary>
    public static void Save(string path, Action<CsvTable> write)
    {
        CheckPath(path);
        if (path == StandardOutput)
        {
            write(new CsvTable(Console.Out));
            Console.Out.Flush();
            return;
        }
        AtomicFile.Write(path, temp =>
        {
            using var stream = new StreamWriter(temp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
            write(new CsvTable(stream));
        });
    }

    /// <summary>Writes one row of column names.</summary>
    public void Header(IEnumerable<string> names)
    {
        foreach (string name in names) Cell(name);
        EndRow();
    }

    /// <summary>Column names <c>prefix_0</c> … <c>prefix_{count−1}</c>.</summary>
    public static IEnumerable<string> Numbered(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}_{i}");

    /// <summary>Writes a text cell, quoted (RFC 4180: in double quotes, inner quotes doubled) when it holds a comma, a quote or a line break.</summary>
    public void Cell(string value)
    {
        Separate();
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) text.Write(value);
        else text.Write($"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
    }

    public void Cell(int value)
    {
        Separate();
        value.TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture);
        text.Write(buffer, 0, written);
    }

    public void Cell(float value)
    {
        Separate();
        value.TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture);
        text.Write(buffer, 0, written);
    }

    public void Cells(ReadOnlySpan<float> values)
    {
        foreach (float value in values) Cell(value);
    }

    public void EndRow()
    {
        text.Write('\n');
        rowStarted = false;
    }

    private void Separate()
    {
        if (rowStarted) text.Write(',');
        rowStarted = true;
    }
}
