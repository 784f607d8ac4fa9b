using SkiaSharp;

namespace Vae.Training.Data;

/// <summary>
/// Reads a folder of PNG images, all of one size: grayscale images give [1, H, W] samples, colour ones [3, H, W]
/// (a folder with any colour image is read as RGB). Alpha is dropped and never multiplied in: a pixel's stored R, G, B
/// bytes are its values whatever its opacity; palette and 16-bit images are read as the 8-bit RGB they show.
/// PNGs directly in the folder are unlabelled; otherwise each sub-folder is a class, in ordinal name order
/// (<see cref="Dataset.ClassNames"/>), holding the PNGs anywhere below it (as torchvision's <c>ImageFolder</c>).
/// Each sample is named by its path relative to the folder (<see cref="Dataset.SampleNames"/>). File names match
/// <c>*.png</c> in any case; hidden files and folders (names starting with '.', such as macOS's <c>._x.png</c>) are
/// skipped. Empty folders, undecodable or truncated files, mixed sizes, and PNGs both beside and inside class
/// sub-folders raise a <see cref="DataFormatException"/> naming the image or folder.
/// </summary>
public static class PngFolder
{
    private static readonly EnumerationOptions Direct = new() { MatchCasing = MatchCasing.CaseInsensitive, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
    private static readonly EnumerationOptions Below = new() { MatchCasing = MatchCasing.CaseInsensitive, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System, RecurseSubdirectories = true };

    /// <summary>Loads <paramref name="folder"/>; pixel values are divided by <paramref name="scale"/> (0: by 255).</summary>
    public static Dataset Load(string folder, double scale = 0)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"image folder not found: {folder}");
        var files = Find(folder, out string[] classes);

        var images = new List<(byte[] Planes, int Channels)>(files.Count);
        int h = 0, w = 0;
        bool color = false;
        foreach (var (path, _) in files)
        {
            var (planes, channels, width, height) = Decode(path);
            if (images.Count == 0) (w, h) = (width, height);
            else if (width != w || height != h)
                throw new DataFormatException(path, $"image is {width}×{height}; {files[0].Path} is {w}×{h} and all images must be one size.");
            color |= channels == 3;
            images.Add((planes, channels));
        }

        if (scale < 0 || double.IsNaN(scale)) throw new ArgumentException($"scale is {scale}; expected > 0, or 0 for 255.", nameof(scale));
        float divisor = scale == 0 ? 255f : (float)scale;
        int outChannels = color ? 3 : 1, plane = h * w;
        var values = new float[images.Count * outChannels * plane];
        int offset = 0;
        foreach (var (planes, channels) in images)
        {
            for (int ch = 0; ch < outChannels; ch++)
            {
                int from = channels == 1 ? 0 : ch * plane;   // a grayscale image in a colour folder: R = G = B
                for (int i = 0; i < plane; i++) values[offset++] = planes[from + i] / divisor;
            }
        }
        int[]? labels = classes.Length > 0 ? files.Select(f => f.Label).ToArray() : null;
        return new Dataset(values, [outChannels, h, w], labels, classes.Length)
        {
            ClassNames = classes.Length > 0 ? classes : null,
            SampleNames = files.Select(f => Path.GetRelativePath(folder, f.Path).Replace(Path.DirectorySeparatorChar, '/')).ToArray(),
        };
    }

    /// <summary>The images to read, in label then ordinal path order, and the class names (empty: unlabelled).</summary>
    private static List<(string Path, int Label)> Find(string folder, out string[] classes)
    {
        classes = Directory.EnumerateDirectories(folder, "*", Direct).Where(d => Directory.EnumerateFiles(d, "*.png", Below).Any())
                           .Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        string[] loose = [.. Directory.EnumerateFiles(folder, "*.png", Direct).Order(StringComparer.Ordinal)];
        if (classes.Length > 0 && loose.Length > 0)
            throw new DataFormatException(folder, $"{loose.Length} PNG image(s) lie directly in the folder (e.g. {Path.GetFileName(loose[0])}) beside " +
                                                  $"{classes.Length} class sub-folder(s) ({string.Join(", ", classes.Take(3))}{(classes.Length > 3 ? ", …" : "")}); " +
                                                  "expected images only in sub-folders (one per class) or only in the folder (unlabelled).");
        var files = new List<(string Path, int Label)>();
        if (classes.Length == 0) files.AddRange(loose.Select(f => (f, -1)));
        for (int c = 0; c < classes.Length; c++)
        {
            string classFolder = Path.Combine(folder, classes[c]);
            files.AddRange(Directory.EnumerateFiles(classFolder, "*.png", Below)
                                    .Order(StringComparer.Ordinal).Select(f => (f, c)));
        }
        if (files.Count == 0)
            throw new DataFormatException(folder, "no PNG images; expected *.png files in the folder or in one sub-folder per class.");
        return files;
    }

    /// <summary>The image's bytes as planes: one (every pixel has R = G = B) or three (R, G, B), alpha left out.</summary>
    private static (byte[] Planes, int Channels, int Width, int Height) Decode(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new DataFormatException(path, "not a decodable PNG image.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new DataFormatException(path, $"not a decodable PNG image ({result}).");
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        int n = info.Width * info.Height;
        bool gray = true;
        for (int i = 0; i < n && gray; i++)
            gray = rgba[4 * i] == rgba[4 * i + 1] && rgba[4 * i + 1] == rgba[4 * i + 2];
        int channels = gray ? 1 : 3;
        var planes = new byte[channels * n];
        for (int ch = 0; ch < channels; ch++)
            for (int i = 0; i < n; i++) planes[ch * n + i] = rgba[4 * i + ch];
        return (planes, channels, info.Width, info.Height);
    }
}
