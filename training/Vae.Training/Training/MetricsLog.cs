namespace Vae.Training.Training;

/// <summary><c>metrics.csv</c> of a run folder: one row per epoch (<see cref="EpochMetrics.CsvHeader"/>), rewritten atomically.</summary>
public sealed class MetricsLog(string path)
{
    public const string File = "metrics.csv";

    /// <summary>Path of the CSV file.</summary>
    public string Path { get; } = path;

    /// <summary>Rewrites the file with all rows of <paramref name="history"/>.</summary>
    public void Write(IEnumerable<EpochMetrics> history) =>
        AtomicFile.WriteAllText(Path, EpochMetrics.CsvHeader + "\n" + string.Concat(history.Select(m => m.ToCsv() + "\n")));

    private const string Remedy = $"Restore the file, or start a new run instead of resuming (resuming would rewrite {File} without the rows it lacks)";

    /// <summary>
    /// The rows of epochs 1..<paramref name="epochs"/> from an earlier session (for resuming), each exactly once and
    /// in order. Rows after them belong to an epoch the checkpoint did not reach (the run stopped between writing
    /// this file and the checkpoint) and are left out: that epoch is trained again. A resumed run rewrites the file
    /// from these rows, so a missing row would be lost for good: it is an error instead.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The header or a row is damaged, or a row of epochs 1..<paramref name="epochs"/> is missing or out of order.</exception>
    public IReadOnlyList<EpochMetrics> Read(int epochs)
    {
        if (!System.IO.File.Exists(Path))
            throw new FileNotFoundException($"{Path} is missing; the checkpoint being resumed is at epoch {epochs}, so rows for epochs 1–{epochs} were expected. {Remedy}.", Path);
        var rows = new List<EpochMetrics>();
        int line = 0;
        foreach (string text in System.IO.File.ReadLines(Path))
        {
            line++;
            if (line == 1)
            {
                if (text != EpochMetrics.CsvHeader)
                    throw new InvalidDataException($"{Path}, line 1: the header is '{text}'; expected '{EpochMetrics.CsvHeader}'. {Remedy}.");
                continue;
            }
            EpochMetrics row;
            try
            {
                row = EpochMetrics.FromCsv(text);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{Path}, line {line}: {e.Message} {Remedy}.", e);
            }
            if (row.Epoch > epochs && rows.Count == epochs) break;
            if (row.Epoch != rows.Count + 1)
                throw new InvalidDataException($"{Path}, line {line}: epoch {row.Epoch}; expected epoch {rows.Count + 1} (one row per epoch, in order). {Remedy}.");
            rows.Add(row);
        }
        if (rows.Count < epochs)
            throw new InvalidDataException($"{Path} has rows for {(rows.Count == 0 ? "no epoch" : $"epochs 1–{rows.Count}")}; the checkpoint being resumed is at epoch {epochs}, so rows for epochs 1–{epochs} were expected. {Remedy}.");
        return rows;
    }
}
