using System.Runtime.ExceptionServices;
using SkiaSharp;

namespace Vae.Training.Data;

/// <summary>
/// Reads a folder of images — PNG, JPEG, WebP, BMP or GIF (its first frame) — as one data set: grayscale images give
/// [1, H, W] samples, colour ones [3, H, W] (a folder with any colour image is read as RGB, unless
/// <see cref="DataOptions.Grayscale"/>). Alpha is dropped and never multiplied in: a pixel's stored R, G, B bytes are its
/// values whatever its opacity; palette and 16-bit images are read as the 8-bit RGB they show.
/// Images must all be one size, or are brought to one with <see cref="DataOptions.ImageSize"/> (centre crop to the
/// target's aspect ratio, then resampling: area averaging when shrinking, Mitchell cubic when enlarging; see <see cref="ImageResize"/>).
/// Images directly in the folder are unlabelled; otherwise each sub-folder is a class, in ordinal name order
/// (<see cref="Dataset.ClassNames"/>), holding the images anywhere below it (as torchvision's <c>ImageFolder</c>).
/// Each sample is named by its path relative to the folder (<see cref="Dataset.SampleNames"/>). File names match
/// <see cref="Extensions"/> in any case; hidden files and folders (names starting with '.', such as macOS's
/// <c>._x.png</c>) are skipped. Links to folders are not followed (a link back up the tree multiplied the data set, with
/// wrong labels): each is named in <see cref="Dataset.Skipped"/>; links to files are read as the files they point to.
/// Empty folders, unreadable files and folders (permission denied), undecodable or truncated files, mixed sizes, and
/// images both beside and inside class sub-folders raise a <see cref="DataFormatException"/> naming the image or folder:
/// a data set is read whole or not at all.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file name endings read as images (compared ignoring case).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"];

    private const string Formats = "PNG, JPEG, WebP, BMP or GIF";
    // IgnoreInaccessible is true by default: an unreadable class folder was skipped and every later label shifted down
    private static readonly EnumerationOptions Direct = new() { AttributesToSkip = FileAttributes.Hidden | FileAttributes.System, IgnoreInaccessible = false };

    /// <summary>True when <paramref name="path"/> ends in one of <see cref="Extensions"/>.</summary>
    public static bool IsImage(string path) => Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Loads <paramref name="folder"/>, read as <paramref name="options"/> say (scaling, size, grayscale, the
    /// first N images in label then path order; the CSV and idx options do not apply).</summary>
    /// <exception cref="DataFormatException">No images, an unreadable file or folder, an undecodable image, mixed sizes, or more values than one array holds.</exception>
    public static Dataset Load(string folder, DataOptions? options = null)
    {
        options = (options ?? new DataOptions()).Validate();
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"image folder not found: {folder}");
        int[]? size = options.ImageSize;
        var skipped = new List<string>();
        var files = Find(folder, skipped, out string[] classes);
        if (options.Limit > 0 && options.Limit < files.Count) files.RemoveRange(options.Limit, files.Count - options.Limit);

        var images = DecodeAll(folder, files.Select(f => f.Path).ToArray(), size, options.Grayscale);
        int w = images[0].Width, h = images[0].Height;
        bool color = false;
        for (int i = 0; i < images.Length; i++)
        {
            if (images[i].Width != w || images[i].Height != h)
                throw new DataFormatException(files[i].Path, $"image is {images[i].Width}×{images[i].Height}; {files[0].Path} is {w}×{h} and all images must be one size " +
                                                             $"(or be brought to one: {DataOptions.Name(nameof(DataOptions.ImageSize))}).");
            color |= images[i].Channels == 3;
        }

        int outChannels = color ? 3 : 1, plane = h * w;
        var values = new float[CheckTotal(folder, images.Length, outChannels, h, w)];
        int offset = 0;
        foreach (var (planes, channels, _, _) in images)
        {
            for (int ch = 0; ch < outChannels; ch++)
            {
                int from = channels == 1 ? 0 : ch * plane;   // a grayscale image in a colour folder: R = G = B
                for (int i = 0; i < plane; i++) values[offset++] = planes[from + i];
            }
        }
        int[]? labels = classes.Length > 0 ? files.Select(f => f.Label).ToArray() : null;
        var raw = new Dataset(values, [outChannels, h, w], labels, classes.Length)
        {
            ClassNames = classes.Length > 0 ? classes : null,
            SampleNames = files.Select(f => Path.GetRelativePath(folder, f.Path).Replace(Path.DirectorySeparatorChar, '/')).ToArray(),
            Skipped = skipped,
        };
        return Normalizing.Apply(raw, options, folder, automaticDivisor: 255f);
    }

    /// <summary>
    /// Decodes <paramref name="paths"/> on every core, results in file order: the first image alone (so that a folder too
    /// large for one array is refused before the rest are decoded), then the others in parallel. When several images fail,
    /// the first in file order is the one reported, as a sequential read would.
    /// </summary>
    private static (byte[] Planes, int Channels, int Width, int Height)[] DecodeAll(string folder, string[] paths, int[]? size, bool grayscale)
    {
        var images = new (byte[] Planes, int Channels, int Width, int Height)[paths.Length];
        images[0] = Decode(paths[0], size, grayscale);
        CheckTotal(folder, paths.Length, images[0].Channels, images[0].Height, images[0].Width);
        var failures = new Exception?[paths.Length];
        Parallel.For(1, paths.Length, (i, loop) =>
        {
            try
            {
                images[i] = Decode(paths[i], size, grayscale);
            }
            catch (Exception e)
            {
                failures[i] = e;
                loop.Break();   // images before i are still decoded, so the first failure in file order is known
            }
        });
        if (Array.Find(failures, e => e is not null) is { } first) ExceptionDispatchInfo.Throw(first);
        return images;
    }

    /// <summary>The number of values of <paramref name="count"/> images of C×H×W, which must fit one array.</summary>
    private static long CheckTotal(string folder, int count, int channels, int h, int w)
    {
        long total = (long)count * channels * h * w;
        if (total > Array.MaxLength)
            throw new DataFormatException(folder, $"{count:N0} images of {channels}×{h}×{w} are {total:N0} values, more than one array holds " +
                                                  $"({Array.MaxLength:N0}); read fewer ({DataOptions.Name(nameof(DataOptions.Limit))}) or smaller ones ({DataOptions.Name(nameof(DataOptions.ImageSize))}).");
        return total;
    }

    /// <summary>The images to read, in label then ordinal path order, and the class names (empty: unlabelled); links to
    /// folders are added to <paramref name="skipped"/> instead of being followed.</summary>
    private static List<(string Path, int Label)> Find(string folder, List<string> skipped, out string[] classes)
    {
        var (looseFiles, subfolders) = List(folder, folder, skipped);
        var classImages = new List<(string Name, List<string> Images)>();
        foreach (string sub in subfolders)
        {
            var images = new List<string>();
            Collect(folder, sub, images, skipped);
            if (images.Count > 0) classImages.Add((Path.GetFileName(sub), images));
        }
        classes = [.. classImages.Select(c => c.Name).Order(StringComparer.Ordinal)];
        if (classes.Length > Dataset.MaxClasses)
            throw new DataFormatException(folder, $"{classes.Length:N0} class sub-folders; a data set has at most {Dataset.MaxClasses:N0} classes.");
        string[] loose = [.. looseFiles.Where(IsImage).Order(StringComparer.Ordinal)];
        if (classes.Length > 0 && loose.Length > 0)
            throw new DataFormatException(folder, $"{loose.Length} image(s) lie directly in the folder (e.g. {Path.GetFileName(loose[0])}) beside " +
                                                  $"{classes.Length} class sub-folder(s) ({string.Join(", ", classes.Take(3))}{(classes.Length > 3 ? ", …" : "")}); " +
                                                  "expected images only in sub-folders (one per class) or only in the folder (unlabelled).");
        var files = new List<(string Path, int Label)>();
        if (classes.Length == 0) files.AddRange(loose.Select(f => (f, -1)));
        var byName = classImages.ToDictionary(c => c.Name, c => c.Images, StringComparer.Ordinal);
        for (int c = 0; c < classes.Length; c++)
            files.AddRange(byName[classes[c]].Order(StringComparer.Ordinal).Select(f => (f, c)));
        if (files.Count == 0)
            throw new DataFormatException(folder, $"no images; expected {Formats} files ({string.Join(", ", Extensions)}) in the folder or in one sub-folder per class.");
        skipped.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Adds the images anywhere below <paramref name="dir"/> (not through links to folders) to <paramref name="images"/>.</summary>
    private static void Collect(string root, string dir, List<string> images, List<string> skipped)
    {
        var (files, subfolders) = List(root, dir, skipped);
        images.AddRange(files.Where(IsImage));
        foreach (string sub in subfolders) Collect(root, sub, images, skipped);
    }

    /// <summary>The files and the sub-folders directly in <paramref name="dir"/>, hidden ones left out; a link to a folder is
    /// added to <paramref name="skipped"/> (relative to <paramref name="root"/>, with its target).</summary>
    /// <exception cref="DataFormatException">The folder cannot be listed (permission denied, or it vanished).</exception>
    private static (List<string> Files, List<string> Folders) List(string root, string dir, List<string> skipped)
    {
        var files = new List<string>();
        var folders = new List<string>();
        try
        {
            foreach (FileSystemInfo entry in new DirectoryInfo(dir).EnumerateFileSystemInfos("*", Direct))
            {
                bool isFolder = entry is DirectoryInfo;
                if (isFolder && entry.LinkTarget is { } target)
                    skipped.Add($"{Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/')} -> {target} (a link to a folder; not followed)");
                else if (isFolder) folders.Add(entry.FullName);
                else files.Add(entry.FullName);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new DataFormatException(dir, $"the folder cannot be read ({Reason(e)}); its images would be missing from the data set.", e);
        }
        return (files, folders);
    }

    /// <summary>"permission denied" for access errors, else the system's message.</summary>
    private static string Reason(Exception e) => e is UnauthorizedAccessException ? "permission denied" : e.Message;

    /// <summary>The image's bytes as planes — one (every pixel has R = G = B, or <paramref name="grayscale"/>) or three
    /// (R, G, B), alpha left out — at <paramref name="size"/> ([height, width]) when given.</summary>
    private static (byte[] Planes, int Channels, int Width, int Height) Decode(string path, int[]? size, bool grayscale)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new DataFormatException(path, $"the image cannot be read ({Reason(e)}).", e);
        }
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new DataFormatException(path, $"not a decodable image; expected {Formats}.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // the size comes from the file's header: a damaged one can claim any size, which must not reach the allocator unchecked
        if (info.Width <= 0 || info.Height <= 0 || 4L * info.Width * info.Height > Array.MaxLength)
            throw new DataFormatException(path, $"the {FormatName(codec.EncodedFormat)} header says {info.Width}×{info.Height} pixels; " +
                                                $"an image is read into one array of at most {Array.MaxLength / 4:N0} pixels (the file is damaged, or far too large).");
        using var bitmap = NewBitmap(info, path);
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new DataFormatException(path, $"not a decodable {FormatName(codec.EncodedFormat)} image ({result}).");
        if (size is [int height, int width] && (height != info.Height || width != info.Width))
            return Planes(ImageResize.To(bitmap.GetPixelSpan(), info.Width, info.Height, width, height), width, height, grayscale);
        return Planes(bitmap.GetPixelSpan(), info.Width, info.Height, grayscale);
    }

    /// <summary>A bitmap of <paramref name="info"/>'s size; SkiaSharp reports a failed allocation with a bare Exception.</summary>
    private static SKBitmap NewBitmap(SKImageInfo info, string path)
    {
        try
        {
            return new SKBitmap(info);
        }
        catch (Exception e) when (e.Message.Contains("allocate", StringComparison.OrdinalIgnoreCase))
        {
            throw new DataFormatException(path, $"{info.Width}×{info.Height} pixels could not be allocated ({e.Message}); the header is damaged or the image too large for this machine.", e);
        }
    }

    private static string FormatName(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Png => "PNG",
        SKEncodedImageFormat.Jpeg => "JPEG",
        SKEncodedImageFormat.Webp => "WebP",
        SKEncodedImageFormat.Bmp => "BMP",
        SKEncodedImageFormat.Gif => "GIF",
        _ => format.ToString(),
    };

    /// <summary>One plane when every pixel is gray (R = G = B) or <paramref name="grayscale"/> asks for luma, else R, G, B planes.</summary>
    private static (byte[] Planes, int Channels, int Width, int Height) Planes(ReadOnlySpan<byte> rgba, int width, int height, bool grayscale)
    {
        int n = width * height;
        bool gray = true;
        for (int i = 0; i < n && gray; i++)
            gray = rgba[4 * i] == rgba[4 * i + 1] && rgba[4 * i + 1] == rgba[4 * i + 2];
        if (grayscale && !gray)
        {
            // ITU-R BT.601 luma in PIL's integer form (Image.convert("L"), which torchvision's Grayscale uses).
            var luma = new byte[n];
            for (int i = 0; i < n; i++)
                luma[i] = (byte)((rgba[4 * i] * 19595 + rgba[4 * i + 1] * 38470 + rgba[4 * i + 2] * 7471 + 0x8000) >> 16);
            return (luma, 1, width, height);
        }
        int channels = gray ? 1 : 3;
        var planes = new byte[channels * n];
        for (int ch = 0; ch < channels; ch++)
            for (int i = 0; i < n; i++) planes[ch * n + i] = rgba[4 * i + ch];
        return (planes, channels, width, height);
    }
}
