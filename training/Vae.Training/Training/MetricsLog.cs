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

    /// <summary>The raw rows of epochs 1..<paramref name="epochs"/> from an earlier session (for --resume).</summary>
    public IReadOnlyList<EpochMetrics> Read(int epochs)
    {
        if (!System.IO.File.Exists(Path)) return [];
        var rows = new List<EpochMetrics>();
        foreach (string line in System.IO.File.ReadLines(Path).Skip(1))
        {
            EpochMetrics m = EpochMetrics.FromCsv(line);
            if (m.Epoch <= epochs) rows.Add(m);
        }
        return rows;
    }
}
