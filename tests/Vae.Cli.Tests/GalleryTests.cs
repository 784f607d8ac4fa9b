using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>The pictures of README.md and docs/*.md: every one is committed, a valid PNG, under 300 KB.</summary>
public class GalleryTests
{
    private const long MaxBytes = 300 * 1024;

    [Fact]
    public void Every_readme_and_docs_picture_is_a_small_committed_png()
    {
        string[] pages = ["README.md", .. Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p))];
        var pictures = pages
            .SelectMany(page => MarkdownLinks.Relative(page, File.ReadAllText(Path.Combine(RepoPaths.Root, page))))
            .Where(link => link.Path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        Assert.Contains(pictures, link => link.File == "README.md");
        foreach (MarkdownLink picture in pictures)
        {
            string path = Path.GetFullPath(Path.Combine(RepoPaths.Root, Path.GetDirectoryName(picture.File)!, picture.Path));
            Assert.True(File.Exists(path), $"{picture} shows a picture that does not exist (make demo && make gallery).");
            long bytes = new FileInfo(path).Length;
            Assert.True(bytes < MaxBytes, $"{picture} is {bytes:N0} bytes; expected under {MaxBytes:N0}.");
            var (width, height) = CliRun.DecodedSize(path);
            Assert.True(width > 0 && height > 0, $"{picture} decodes to {width}×{height}.");
        }
    }
}
