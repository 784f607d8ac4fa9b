using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>
/// Every relative link of README.md and docs/*.md points to a file of the repository and, into a Markdown file, to a
/// heading it has; the package READMEs, which ship to NuGet where a relative link leads nowhere, have none.
/// </summary>
public class DocumentationLinkTests
{
    private static readonly string[] PackageReadmes =
    [
        "inference/Vae.Inference/README.md", "inference/Vae.MLNet/README.md", "training/Vae.Training/README.md",
    ];

    public static TheoryData<string> Pages() => new(["README.md", .. DocsPages()]);

    /// <summary>docs/*.md, as paths from the repository root.</summary>
    private static string[] DocsPages() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_points_to_an_existing_file_and_heading(string page)
    {
        string folder = Path.GetDirectoryName(Path.Combine(RepoPaths.Root, page))!;
        var broken = new List<string>();
        foreach (MarkdownLink link in MarkdownLinks.Relative(page, Read(page)))
        {
            string target = link.Path.Length == 0 ? Path.Combine(RepoPaths.Root, page) : Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(link.Path)));
            string fromRoot = Path.GetRelativePath(RepoPaths.Root, target).Replace('\\', '/');
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                broken.Add($"{link}: {fromRoot} does not exist");
                continue;
            }
            if (link.Anchor is { } anchor && target.EndsWith(".md", StringComparison.Ordinal))
            {
                HashSet<string> anchors = MarkdownLinks.Anchors(File.ReadAllText(target));
                if (!anchors.Contains(anchor))
                    broken.Add($"{link}: {fromRoot} has no heading with anchor '{anchor}'; its anchors are {string.Join(", ", anchors.Order(StringComparer.Ordinal))}");
            }
        }
        Assert.True(broken.Count == 0, $"{broken.Count} broken link(s):\n{string.Join('\n', broken)}");
    }

    [Fact]
    public void The_readme_links_to_every_docs_page()
    {
        var linked = MarkdownLinks.Relative("README.md", Read("README.md")).Select(l => l.Path).ToHashSet(StringComparer.Ordinal);
        string[] missing = DocsPages().Where(p => !linked.Contains(p)).ToArray();
        Assert.True(missing.Length == 0, $"README.md does not link to {string.Join(", ", missing)}.");
    }

    [Theory]
    [MemberData(nameof(PackageReadmeData))]
    public void A_package_readme_has_no_relative_link(string readme)
    {
        MarkdownLink[] links = MarkdownLinks.Relative(readme, Read(readme)).ToArray();
        Assert.True(links.Length == 0, $"{readme} ships inside its NuGet package, where relative links lead nowhere: {string.Join(", ", links.Select(l => l.ToString()))}.");
    }

    public static TheoryData<string> PackageReadmeData() => new(PackageReadmes);

    [Theory]
    [InlineData("Quality target 1 — the PyTorch example", "quality-target-1--the-pytorch-example")]
    [InlineData("Demos on real MNIST (`make demo`, or the CLI)", "demos-on-real-mnist-make-demo-or-the-cli")]
    [InlineData("ML.NET benchmark", "mlnet-benchmark")]
    [InlineData("`vae evaluate`", "vae-evaluate")]
    [InlineData("Save and load: the trade-off", "save-and-load-the-trade-off")]
    [InlineData("Links [in](x.md) headings", "links-in-headings")]
    public void Anchors_are_made_as_github_makes_them(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownLinks.Slug(heading));

    [Fact]
    public void Links_in_code_are_not_links_and_repeated_headings_are_numbered()
    {
        const string markdown = "# A\n## A\nSee [b](b.md#x) and `[c](c.md)`.\n```\n[d](d.md)\n# Not a heading\n```\n<img src=\"e.png\" width=\"9\"> [web](https://example.com)\n";
        Assert.Equal(["b.md#x", "e.png"], MarkdownLinks.Relative("t.md", markdown).Select(l => l.Target));
        Assert.Equal(new HashSet<string> { "a", "a-1" }, MarkdownLinks.Anchors(markdown));
    }

    private static string Read(string page) => File.ReadAllText(Path.Combine(RepoPaths.Root, page));
}
