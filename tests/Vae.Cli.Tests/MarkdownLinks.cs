using System.Text;
using System.Text.RegularExpressions;

namespace Vae.Cli.Tests;

/// <summary>One relative link of a Markdown file: where it is written and what it points to.</summary>
internal sealed record MarkdownLink(string File, int Line, string Target)
{
    /// <summary>The path part of <see cref="Target"/> (empty for a link into the same file).</summary>
    public string Path => Target.Split('#', 2)[0];

    /// <summary>The anchor after '#', or null.</summary>
    public string? Anchor => Target.Split('#', 2) is [_, var anchor] ? anchor : null;

    public override string ToString() => $"{File}:{Line}: ({Target})";
}

/// <summary>
/// Reads the relative links and the heading anchors of Markdown files as GitHub renders them: inline links and
/// images, HTML <c>src</c>/<c>href</c> attributes, and headings outside fenced code blocks.
/// </summary>
internal static partial class MarkdownLinks
{
    /// <summary>Every relative link of <paramref name="markdown"/> (links with a scheme, such as https:, are left out), outside code.</summary>
    public static IEnumerable<MarkdownLink> Relative(string file, string markdown)
    {
        foreach (var (line, text) in ProseLines(markdown))
        {
            string prose = CodeSpan().Replace(text, "");
            var targets = InlineLink().Matches(prose).Select(m => m.Groups["target"].Value)
                .Concat(HtmlLink().Matches(prose).Select(m => m.Groups["target"].Value));
            foreach (string target in targets)
                if (!Scheme().IsMatch(target)) yield return new MarkdownLink(file, line, target);
        }
    }

    /// <summary>The anchors GitHub gives the headings of <paramref name="markdown"/>, duplicates numbered -1, -2, … as it does.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, text) in ProseLines(markdown))
        {
            Match heading = Heading().Match(text);
            if (!heading.Success) continue;
            string slug = Slug(heading.Groups["text"].Value);
            int count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>GitHub's heading anchor: lower case; letters, digits, '-' and '_' kept, spaces made '-', everything else dropped.</summary>
    public static string Slug(string heading)
    {
        string text = InlineLinkText().Replace(heading.Trim(), "${text}");
        var slug = new StringBuilder(text.Length);
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
            else if (c == ' ') slug.Append('-');
        }
        return slug.ToString();
    }

    /// <summary>Lines (1-based numbers) outside fenced code blocks.</summary>
    private static IEnumerable<(int Line, string Text)> ProseLines(string markdown)
    {
        string? fence = null;
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (fence is null && (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)))
                fence = trimmed[..3];
            else if (fence is not null && trimmed.StartsWith(fence, StringComparison.Ordinal))
                fence = null;
            else if (fence is null)
                yield return (i + 1, lines[i].TrimEnd('\r'));
        }
    }

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkText();

    [GeneratedRegex(@"<(?:img|a)\b[^>]*\b(?:src|href)=""(?<target>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();
}
