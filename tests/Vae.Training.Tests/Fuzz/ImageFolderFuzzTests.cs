using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Data;
using Xunit.Abstractions;

namespace Vae.Training.Tests.Fuzz;

/// <summary>
/// The image-folder reader on damaged images and odd folder trees (links to folders, loops, hidden and non-image files,
/// empty and nested folders, loose images, broken links, images of another size): a folder is read whole — exactly
/// the images an independent walk finds, with their class labels, and every link to a folder named as skipped — or
/// refused with a <see cref="DataFormatException"/> naming a path in it; never a smaller or larger data set.
/// </summary>
public class ImageFolderFuzzTests(ITestOutputHelper output)
{
    private static readonly string Source = MakeSource();

    [Fact]
    public void Image_folders_are_read_whole_or_refused_naming_the_path()
    {
        string root = RepoPaths.NewTempFolder();
        Check(Source, ImageFolder.Load(Source));   // the unchanged tree reads whole: the cases start from a valid input
        FuzzRunner.Run("image folders", FuzzRunner.Cases(2000), seed: 4_000, (random, i) =>
        {
            string folder = Path.Combine(root, $"case{i}");
            CopyTree(Source, folder);
            int changes = 1 + random.Next(2);
            var what = new List<string>();
            for (int c = 0; c < changes; c++) what.Add(Mutate(folder, random));
            return new FuzzCase
            {
                Description = string.Join("; ", what),
                IsClearError = e => e is DataFormatException && e.Message.Contains(folder, StringComparison.Ordinal),
                Read = () => Check(folder, ImageFolder.Load(folder)),
            };
        }, output);
    }

    /// <summary>One change to the tree: most often damaged image bytes, else a structural oddity.</summary>
    private static string Mutate(string folder, Random random)
    {
        string Link(string path, string target, bool isFolder)
        {
            if (Path.Exists(path) || File.GetAttributes(Path.GetDirectoryName(path)!).HasFlag(FileAttributes.ReparsePoint)) return $"no change ({Path.GetFileName(path)} is there)";
            if (isFolder) Directory.CreateSymbolicLink(path, target);
            else File.CreateSymbolicLink(path, target);
            return $"{Path.GetRelativePath(folder, path)} -> {target}";
        }
        // the real image files (not links an earlier change made), found without following links to folders
        string[] images = Directory.GetFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                                   .Where(ImageFolder.IsImage).Order(StringComparer.Ordinal).ToArray();
        if (images.Length == 0) return "no change (no image left)";
        string Pick() => images[random.Next(images.Length)];
        switch (random.Next(20))
        {
            case < 9:
                string victim = Pick();
                var (bytes, what) = FuzzMutator.Bytes(File.ReadAllBytes(victim), random);
                File.WriteAllBytes(victim, bytes);
                return $"{Path.GetRelativePath(folder, victim)}: {what}";
            case 9:
                return Link(Path.Combine(folder, "a", "loop"), "..", isFolder: true);
            case 10:
                return Link(Path.Combine(folder, "b", "other"), Path.Combine("..", "a"), isFolder: true);
            case 11:
                return Link(Path.Combine(folder, "c"), "b", isFolder: true) + " (a class folder that is a link)";
            case 12:
                File.WriteAllBytes(Path.Combine(folder, "a", ".hidden.png"), [1, 2, 3]);
                return "a/.hidden.png (garbage, hidden)";
            case 13:
                File.WriteAllText(Path.Combine(folder, "b", "notes.txt"), "not an image");
                Directory.CreateDirectory(Path.Combine(folder, "empty"));
                return "b/notes.txt and an empty folder";
            case 14:
                string loose = Path.Combine(folder, "loose.png");
                if (File.Exists(loose)) return "no change (loose.png is there)";
                File.Copy(Pick(), loose);
                return "an image beside the class folders";
            case 15:
                return Link(Path.Combine(folder, "a", "linked.png"), Path.GetRelativePath(Path.Combine(folder, "a"), Pick()), isFolder: false);
            case 16:
                return Link(Path.Combine(folder, "b", "broken.png"), "missing.png", isFolder: false);
            case 17:
                File.WriteAllBytes(Path.Combine(folder, "a", "empty.PNG"), []);
                return "a/empty.PNG (zero bytes)";
            case 18:
                File.WriteAllBytes(Path.Combine(folder, "b", "wide.png"), RawPng.Encode(9, 8, RawPng.Gray, 8, (x, y) => [x * 20]));
                return "b/wide.png (9×8 among 8×8)";
            default:
                foreach (string file in Directory.GetFiles(Path.Combine(folder, "a")).Where(f => new FileInfo(f).LinkTarget is null)) File.Delete(file);
                return "class a's images deleted";
        }
    }

    /// <summary>Compares what the reader returned with an independent walk of the tree.</summary>
    private static void Check(string folder, Dataset data)
    {
        var skipped = new List<string>();
        var classes = new List<(string Name, List<string> Images)>();
        foreach (DirectoryInfo sub in Visible(new DirectoryInfo(folder)).OfType<DirectoryInfo>().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (sub.LinkTarget is not null) { skipped.Add(sub.Name); continue; }
            var found = new List<string>();
            Walk(folder, sub, found, skipped);
            if (found.Count > 0) classes.Add((sub.Name, found));
        }
        string[] expected = classes.SelectMany(c => c.Images.Order(StringComparer.Ordinal)).ToArray();
        int[] labels = classes.SelectMany((c, label) => c.Images.Select(_ => label)).ToArray();
        if (data.SampleNames is null || !data.SampleNames.SequenceEqual(expected))
            throw new FuzzMismatch($"read [{string.Join(", ", data.SampleNames ?? [])}], expected [{string.Join(", ", expected)}]");
        if (data.Labels is null || !data.Labels.SequenceEqual(labels) || !(data.ClassNames ?? []).SequenceEqual(classes.Select(c => c.Name)))
            throw new FuzzMismatch($"labels [{string.Join(", ", data.Labels ?? [])}] of classes [{string.Join(", ", data.ClassNames ?? [])}], expected [{string.Join(", ", labels)}]");
        string[] reported = data.Skipped.Select(s => s[..s.IndexOf(" -> ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal).ToArray();
        if (!reported.SequenceEqual(skipped.Order(StringComparer.Ordinal)))
            throw new FuzzMismatch($"skipped [{string.Join(", ", data.Skipped)}], expected the folder links [{string.Join(", ", skipped)}]");
        if (data.Features.AsSpan().IndexOfAnyExceptInRange(0f, 1f) >= 0)
            throw new FuzzMismatch("a pixel outside [0, 1]");
    }

    private static void Walk(string root, DirectoryInfo dir, List<string> images, List<string> skipped)
    {
        foreach (FileSystemInfo entry in Visible(dir))
        {
            string relative = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (entry is DirectoryInfo sub)
            {
                if (sub.LinkTarget is not null) skipped.Add(relative);
                else Walk(root, sub, images, skipped);
            }
            else if (ImageFolder.IsImage(entry.Name)) images.Add(relative);
        }
    }

    private static IEnumerable<FileSystemInfo> Visible(DirectoryInfo dir) => dir.EnumerateFileSystemInfos().Where(e => !e.Name.StartsWith('.'));

    /// <summary>a/ with two PNGs and a BMP, b/ with a PNG, a GIF and a PNG one folder down: 8×8 gray images.</summary>
    private static string MakeSource()
    {
        string folder = RepoPaths.NewTempFolder();
        Directory.CreateDirectory(Path.Combine(folder, "a"));
        Directory.CreateDirectory(Path.Combine(folder, "b", "sub"));
        RawPng.Write(Path.Combine(folder, "a", "0.png"), 8, 8, RawPng.Gray, 8, (x, y) => [x * 30 + y]);
        RawPng.Write(Path.Combine(folder, "a", "1.png"), 8, 8, RawPng.Gray, 8, (x, y) => [255 - x * y]);
        RawBmpGif.WriteBmp(Path.Combine(folder, "a", "2.bmp"), 8, 8, (x, y) => ((byte)(x * 9), (byte)(x * 9), (byte)(x * 9)));
        RawPng.Write(Path.Combine(folder, "b", "0.png"), 8, 8, RawPng.Gray, 8, (x, y) => [(x + y) * 15]);
        RawBmpGif.WriteGif(Path.Combine(folder, "b", "1.gif"), 8, 8, [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255], (x, y) => (x + y) % 4);
        RawPng.Write(Path.Combine(folder, "b", "sub", "2.png"), 8, 8, RawPng.Gray, 8, (x, y) => [y * 31]);
        return folder;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.GetDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
