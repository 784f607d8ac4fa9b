namespace Vae.Training;

/// <summary>
/// Checks, before any work is done, that an output can be written where the user asked: a folder path must not be an
/// existing file, a file path must not be an existing folder, and no part of the way there may be a file — so that a long
/// run cannot fail at its first checkpoint for want of a place to write it.
/// </summary>
public static class OutputPath
{
    /// <summary>Checks a folder to write into (created when missing).</summary>
    /// <param name="path">The folder.</param>
    /// <param name="what">What it is called where the user gave it, e.g. "--out" or "run folder".</param>
    /// <exception cref="ArgumentException">The path is empty, is a file, or lies under a file.</exception>
    public static void CheckFolder(string path, string what)
    {
        Check(path, what);
        if (File.Exists(path)) throw new ArgumentException($"{what} {path} is a file; expected a folder (created when missing).", what);
    }

    /// <summary>Checks a file to write (replaced when present; its folder is created when missing).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What it is called where the user gave it, e.g. "--out".</param>
    /// <exception cref="ArgumentException">The path is empty, is a folder, or lies under a file.</exception>
    public static void CheckFile(string path, string what)
    {
        Check(path, what);
        if (Directory.Exists(path)) throw new ArgumentException($"{what} {path} is a folder; expected a file name.", what);
    }

    /// <summary>
    /// Checks that a folder to write into (created when missing) can be written now, before hours of work are spent:
    /// a file is created and deleted in it, or in the nearest folder above it that exists.
    /// </summary>
    /// <param name="path">The folder.</param>
    /// <param name="what">What it is called where the user gave it, e.g. "--out" or "run folder".</param>
    /// <exception cref="ArgumentException">As <see cref="CheckFolder"/>.</exception>
    /// <exception cref="IOException">The folder (or the one it would be created in) cannot be written: read-only, permission denied, disk full.</exception>
    public static void CheckWritableFolder(string path, string what)
    {
        CheckFolder(path, what);
        string? existing = Path.GetFullPath(path);
        while (existing is not null && !Directory.Exists(existing)) existing = Path.GetDirectoryName(existing);
        if (existing is null) return;
        string probe = Path.Combine(existing, $".vae-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string where = existing == Path.GetFullPath(path) ? "" : $" (it would be created in {existing})";
            throw new IOException($"{what} {path} cannot be written{where}: {e.Message}", e);
        }
    }

    private static void Check(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{what} is empty; expected a path.", what);
        for (string? parent = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent)) return;
            if (File.Exists(parent)) throw new ArgumentException($"{what} {path} cannot be created: {parent} is a file, not a folder.", what);
        }
    }
}
