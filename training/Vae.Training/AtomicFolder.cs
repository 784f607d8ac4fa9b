using System.Diagnostics;

namespace Vae.Training;

/// <summary>
/// Writes a whole folder so that a crash leaves the previous folder or the new one, never a mix: the new content is
/// written into a temporary sibling <c>&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;.tmp</c>, the previous folder is renamed
/// aside to <c>&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;.old</c>, the new one renamed into place, and the old one deleted.
/// Between those two renames (the one moment a non-empty folder cannot be replaced atomically) the folder is missing;
/// <see cref="Recover"/> puts the complete previous folder back.
/// </summary>
public static class AtomicFolder
{
    /// <summary>Lets <paramref name="write"/> fill a temporary folder, then puts it in place of <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder to write (its parent is created when missing).</param>
    /// <param name="write">Fills the temporary folder it is given.</param>
    /// <param name="keepOthers">When given, the entries of the previous folder that <paramref name="write"/> did not write and
    /// for whose names it returns true are copied into the new folder (files a user or another tool keeps there, such as
    /// a README), so that replacing the folder loses nothing; when null, the previous folder is replaced as a whole.</param>
    public static void Write(string folder, Action<string> write, Func<string, bool>? keepOthers = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        string old = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.old";
        try
        {
            Directory.CreateDirectory(temp);
            write(temp);
            if (keepOthers is not null && Directory.Exists(full)) CopyMissing(full, temp, keepOthers);
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>
    /// Puts back a folder that <see cref="Write"/> had moved aside when the process died between its two renames: when
    /// <paramref name="folder"/> is missing and a <c>&lt;name&gt;.*.old</c> sibling exists (the previous, complete
    /// folder), the newest such sibling becomes <paramref name="folder"/> again.
    /// </summary>
    /// <returns>True when a folder was put back.</returns>
    public static bool Recover(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.GetFullPath(folder);
        if (Directory.Exists(full)) return false;
        string? old = MovedAside(full);
        if (old is null) return false;
        Directory.Move(old, full);
        return true;
    }

    /// <summary>The newest <c>&lt;name&gt;.*.old</c> sibling of a missing <paramref name="folder"/>, or null.</summary>
    public static string? MovedAside(string folder)
    {
        string full = Path.GetFullPath(folder);
        string? parent = Path.GetDirectoryName(full);
        if (Directory.Exists(full) || parent is null || !Directory.Exists(parent)) return null;
        return Directory.EnumerateDirectories(parent, $"{Path.GetFileName(full)}.*.old")
                        .OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault();
    }

    /// <summary>
    /// Deletes the temporary siblings (<c>&lt;name&gt;.&lt;pid&gt;.*.tmp</c>, and <c>.old</c> ones beside an existing
    /// folder) that writers killed part-way left behind: only those of processes no longer running, so a write in
    /// progress elsewhere is never disturbed.
    /// </summary>
    /// <returns>The paths deleted.</returns>
    public static IReadOnlyList<string> DeleteLeftovers(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.GetFullPath(folder);
        string? parent = Path.GetDirectoryName(full);
        var deleted = new List<string>();
        if (parent is null || !Directory.Exists(parent)) return deleted;
        string name = Path.GetFileName(full);
        foreach (string path in Directory.EnumerateDirectories(parent, $"{name}.*"))
        {
            if (!Path.GetFileName(path).StartsWith(name + ".", StringComparison.Ordinal)) continue;   // the pattern also matches the name itself
            string[] parts = Path.GetFileName(path)[(name.Length + 1)..].Split('.');
            bool leftover = parts is [_, _, "tmp"] || (parts is [_, _, "old"] && Directory.Exists(full));
            if (!leftover || !int.TryParse(parts[0], out int pid) || IsRunning(pid)) continue;
            Directory.Delete(path, recursive: true);
            deleted.Add(path);
        }
        return deleted;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Copies every entry of <paramref name="from"/> that <paramref name="to"/> lacks and <paramref name="keep"/> accepts
    /// (symbolic links as links, folders with all they hold).</summary>
    private static void CopyMissing(string from, string to, Func<string, bool> keep)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(from))
        {
            string target = Path.Combine(to, Path.GetFileName(path));
            if (File.Exists(target) || Directory.Exists(target) || !keep(Path.GetFileName(path))) continue;
            var info = new FileInfo(path);
            if (info.LinkTarget is { } link)
            {
                if (Directory.Exists(path)) Directory.CreateSymbolicLink(target, link);
                else File.CreateSymbolicLink(target, link);
            }
            else if (Directory.Exists(path))
            {
                Directory.CreateDirectory(target);
                CopyMissing(path, target, _ => true);
            }
            else File.Copy(path, target);
        }
    }
}
