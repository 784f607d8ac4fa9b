using Vae.Tests;

namespace Vae.Training.Tests;

/// <summary>Whole-folder writes: the previous folder or the new one, never a mix; nothing of the user's lost.</summary>
public class AtomicFolderTests
{
    [Fact]
    public void A_folder_is_replaced_whole_and_other_files_are_kept_when_asked()
    {
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "model");
        Directory.CreateDirectory(Path.Combine(folder, "notes"));
        File.WriteAllText(Path.Combine(folder, "a.bin"), "old a");
        File.WriteAllText(Path.Combine(folder, "README"), "mine");
        File.WriteAllText(Path.Combine(folder, "notes", "n.txt"), "mine too");
        File.WriteAllText(Path.Combine(folder, "skip.tmp"), "leftover");

        AtomicFolder.Write(folder, temp => File.WriteAllText(Path.Combine(temp, "a.bin"), "new a"), keepOthers: name => name != "skip.tmp");

        Assert.Equal("new a", File.ReadAllText(Path.Combine(folder, "a.bin")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "README")));
        Assert.Equal("mine too", File.ReadAllText(Path.Combine(folder, "notes", "n.txt")));
        Assert.False(File.Exists(Path.Combine(folder, "skip.tmp")));
        Assert.Equal(["model"], Directory.GetFileSystemEntries(Path.GetDirectoryName(folder)!).Select(Path.GetFileName));   // no temporary sibling left
    }

    [Fact]
    public void A_write_that_fails_leaves_the_previous_folder_and_no_temporary_one()
    {
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "model");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.bin"), "old a");
        Assert.Throws<IOException>(() => AtomicFolder.Write(folder, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "a.bin"), "half");
            throw new IOException("disk full");
        }));
        Assert.Equal("old a", File.ReadAllText(Path.Combine(folder, "a.bin")));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(folder)!));
    }

    [Fact]
    public void A_folder_moved_aside_by_a_crash_is_put_back()
    {
        string parent = RepoPaths.NewTempFolder(), folder = Path.Combine(parent, "model");
        string aside = Path.Combine(parent, "model.999999.0123abcd.old");
        Directory.CreateDirectory(aside);
        File.WriteAllText(Path.Combine(aside, "a.bin"), "previous");
        Assert.Equal(aside, AtomicFolder.MovedAside(folder));
        Assert.True(AtomicFolder.Recover(folder));
        Assert.Equal("previous", File.ReadAllText(Path.Combine(folder, "a.bin")));
        Assert.False(AtomicFolder.Recover(folder));   // nothing left to put back
    }

    [Fact]
    public void Leftovers_of_dead_writers_are_deleted_and_those_of_live_ones_kept()
    {
        string parent = RepoPaths.NewTempFolder(), folder = Path.Combine(parent, "model");
        Directory.CreateDirectory(folder);
        string dead = Path.Combine(parent, $"model.{int.MaxValue}.feed.tmp");      // no process has this id
        string live = Path.Combine(parent, $"model.{Environment.ProcessId}.beef.tmp");
        string oldDead = Path.Combine(parent, $"model.{int.MaxValue}.cafe.old");
        string other = Path.Combine(parent, "model.backup");
        foreach (string d in new[] { dead, live, oldDead, other }) Directory.CreateDirectory(d);

        Assert.Equal([oldDead, dead], AtomicFolder.DeleteLeftovers(folder).Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(other));
    }
}
