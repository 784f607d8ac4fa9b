using System.Globalization;
using System.Text.Json;

namespace Vae.Training.Training;

/// <summary>
/// The run folder <see cref="Trainer.Fit"/> writes (<c>best/</c>, <c>last/</c>, <c>metrics.csv</c>) as a whole: what an
/// existing one holds, and how a new run replaces it. <see cref="Trainer.Fit"/> itself replaces those entries as it
/// saves its first epoch; an application that must not lose a finished run asks <see cref="IsEmpty"/> first (the CLI
/// refuses a non-empty folder unless told to resume or to overwrite it).
/// </summary>
public static class RunFolder
{
    /// <summary>The entries a run writes: its two checkpoint folders and its metrics.</summary>
    public static readonly IReadOnlyList<string> RunEntries = [Checkpoint.BestFolder, Checkpoint.LastFolder, MetricsLog.File];

    /// <summary>Whether <paramref name="folder"/> is missing or holds nothing (hidden entries count).</summary>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be listed.</exception>
    public static bool IsEmpty(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any();
    }

    /// <summary>
    /// What <paramref name="folder"/> holds, for people: "best/ (epoch 10), last/ (epoch 10), metrics.csv (10 epochs)",
    /// then up to three other entries and how many more. Damaged files are described, never read as errors.
    /// </summary>
    public static string Describe(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder)) return "nothing";
        var parts = new List<string>();
        string best = Path.Combine(folder, Checkpoint.BestFolder), last = Path.Combine(folder, Checkpoint.LastFolder), metrics = Path.Combine(folder, MetricsLog.File);
        if (Directory.Exists(best)) parts.Add($"{Checkpoint.BestFolder}/{Epoch(Path.Combine(best, Checkpoint.TrainingFile), "epochs")}");
        if (Directory.Exists(last)) parts.Add($"{Checkpoint.LastFolder}/{Epoch(Path.Combine(last, TrainerState.File), "epoch")}");
        if (File.Exists(metrics)) parts.Add($"{MetricsLog.File}{Rows(metrics)}");
        string[] others = [.. Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>()
                                       .Where(name => !RunEntries.Contains(name)).Order(StringComparer.Ordinal)];
        parts.AddRange(others.Take(3).Select(name => Directory.Exists(Path.Combine(folder, name)) ? $"{name}/" : name));
        if (others.Length > 3) parts.Add($"{others.Length - 3} more");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }

    /// <summary>
    /// Moves the run entries of <paramref name="folder"/> (<see cref="RunEntries"/> and the temporary or moved-aside
    /// checkpoint folders an interrupted save leaves beside them) into a hidden folder inside it, so that a new run
    /// neither mixes its checkpoints with the old run's nor loses the old run before it has one of its own: the caller
    /// <see cref="ReplacedRun.Discard"/>s them once the new run saved its first epoch, or <see cref="ReplacedRun.Restore"/>s
    /// them when it failed before. Other entries stay where they are.
    /// </summary>
    /// <returns>The entries moved (none when the folder holds no run).</returns>
    public static ReplacedRun SetAside(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string aside = Path.Combine(folder, $".replaced.{Environment.ProcessId}.{Guid.NewGuid():N}");
        var moved = new List<string>();
        if (Directory.Exists(folder))
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToArray())
            {
                string name = Path.GetFileName(path);
                bool leftover = (name.StartsWith(Checkpoint.BestFolder + ".", StringComparison.Ordinal) || name.StartsWith(Checkpoint.LastFolder + ".", StringComparison.Ordinal))
                                && (name.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(".old", StringComparison.Ordinal));
                if (!RunEntries.Contains(name) && !leftover) continue;
                Directory.CreateDirectory(aside);
                if (Directory.Exists(path)) Directory.Move(path, Path.Combine(aside, name));
                else File.Move(path, Path.Combine(aside, name));
                moved.Add(name);
            }
        }
        return new ReplacedRun(folder, aside, moved);
    }

    private static string Epoch(string json, string key)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(key, out JsonElement e)
                   && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int epoch)
                ? string.Create(CultureInfo.InvariantCulture, $" (epoch {epoch})")
                : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return "";
        }
    }

    private static string Rows(string csv)
    {
        try
        {
            int rows = File.ReadLines(csv).Skip(1).Count(line => line.Length > 0);
            return $" ({rows} epoch{(rows == 1 ? "" : "s")})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}

/// <summary>A run's entries moved aside by <see cref="RunFolder.SetAside"/>: put back, or deleted, exactly once.</summary>
public sealed class ReplacedRun
{
    private readonly string folder, aside;
    private bool settled;

    internal ReplacedRun(string folder, string aside, IReadOnlyList<string> entries)
    {
        this.folder = folder;
        this.aside = aside;
        Entries = entries;
        settled = entries.Count == 0;
    }

    /// <summary>The names moved aside (best, last, metrics.csv, leftovers of interrupted saves).</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>Where they wait: a hidden folder inside the run folder (kept there if the process dies before it is settled).</summary>
    public string Location => aside;

    /// <summary>Deletes the old entries: the new run has saved its own.</summary>
    public void Discard()
    {
        if (settled) return;
        settled = true;
        Directory.Delete(aside, recursive: true);
    }

    /// <summary>Puts the old entries back (the new run failed before saving anything), replacing what the new run left in their places.</summary>
    public void Restore()
    {
        if (settled) return;
        settled = true;
        foreach (string name in Entries)
        {
            string from = Path.Combine(aside, name), to = Path.Combine(folder, name);
            if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
            else if (File.Exists(to)) File.Delete(to);
            if (Directory.Exists(from)) Directory.Move(from, to);
            else File.Move(from, to);
        }
        Directory.Delete(aside, recursive: true);
    }
}
