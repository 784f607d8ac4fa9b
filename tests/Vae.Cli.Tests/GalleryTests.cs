using System.Text.RegularExpressions;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>The README's picture gallery: every picture it shows is committed under docs/, a valid PNG, under 300 KB.</summary>
public class GalleryTests
{
    private const long MaxBytes = 300 * 1024;

    [Fact]
    public void Every_readme_picture_is_a_small_committed_png()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        string[] pictures = Regex.Matches(readme, @"!\[[^\]]*\]\((docs/[^)]+\.png)\)").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(pictures);
        foreach (string picture in pictures)
        {
            string path = Path.Combine(RepoPaths.Root, picture);
            Assert.True(File.Exists(path), $"README shows {picture}, which does not exist (make demo && make gallery).");
            long bytes = new FileInfo(path).Length;
            Assert.True(bytes < MaxBytes, $"{picture} is {bytes:N0} bytes; expected under {MaxBytes:N0}.");
            var (width, height) = CliRun.DecodedSize(path);
            Assert.True(width > 0 && height > 0, $"{picture} decodes to {width}×{height}.");
        }
    }
}
