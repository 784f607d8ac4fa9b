using System.CommandLine;
using System.Text.RegularExpressions;
using Vae.Cli.Commands;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary>Library errors name library members; the CLI shows the flags that set them, from one table.</summary>
public class FlagNamesTests
{
    private static readonly Type[] OptionTypes =
    [
        typeof(Vae.Training.Training.TrainOptions), typeof(Vae.Training.Models.VaeConfig), typeof(Vae.Training.Models.ConvConfig), typeof(Vae.Training.Models.HierarchyConfig),
        typeof(Vae.Training.Data.DataOptions), typeof(Vae.Training.Onnx.ExportOptions),
    ];

    [Fact]
    public void Every_mapped_member_is_a_public_property_and_every_flag_is_an_option_of_a_command()
    {
        var flags = AllOptions(Cli.CreateRootCommand()).ToHashSet();
        foreach (var (member, flag) in FlagNames.ByMember)
        {
            string[] parts = member.Split('.');
            Type type = Assert.Single(OptionTypes, t => t.Name == parts[0]);
            if (parts.Length == 2) Assert.True(type.GetProperty(parts[1]) is { CanRead: true }, $"{member} is not a property of {type.FullName}");
            foreach (Match m in Regex.Matches(flag, @"--[a-z][a-z-]*"))
                Assert.True(flags.Contains(m.Value), $"{member} maps to {m.Value}, which no vae command has");
        }
    }

    [Fact]
    public void Members_become_flags_and_unmapped_members_keep_their_names()
    {
        Assert.Equal("--clip-norm is -1; expected a finite number ≥ 0 (0: no clipping).",
                     FlagNames.InCliTerms("TrainOptions.ClipNorm is -1; expected a finite number ≥ 0 (0: no clipping)."));
        Assert.Equal("--normalize is standard and --scale is 10: both say how to scale the values; give one.",
                     FlagNames.InCliTerms("DataOptions.Normalize is standard and DataOptions.Scale is 10: both say how to scale the values; give one."));
        Assert.Equal("VaeConfig.InputShape is [0]; ExportOptions.TrainingSummary is not valid JSON",
                     FlagNames.InCliTerms("VaeConfig.InputShape is [0]; ExportOptions.TrainingSummary is not valid JSON"));
        Assert.Equal("TrainOptionsX.ClipNorm", FlagNames.InCliTerms("TrainOptionsX.ClipNorm"));   // whole names only
    }

    [Fact]
    public void A_library_error_reaches_the_command_line_with_the_flag()
    {
        string run = Path.Combine(RepoPaths.NewTempFolder(), "run");
        Assert.Equal("error: --clip-norm is -1; expected a finite number ≥ 0 (0: no clipping).",
                     CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--clip-norm", "-1", "--out", run));
        Assert.Equal("error: --patience is 2; expected 0 when --val-size is 0 (early stopping needs held-out samples: set --val-size).",
                     CliRun.Failure("train", "--data", RepoPaths.RequireMnist(), "--patience", "2", "--out", run));
    }

    /// <summary>No string in the libraries names a vae flag or command: their users are programs, not the CLI.</summary>
    [Fact]
    public void No_library_string_names_a_vae_flag_or_command()
    {
        var found = new List<string>();
        foreach (string folder in new[] { "training/Vae.Training", "inference/Vae.Inference", "inference/Vae.MLNet" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
                int line = 0;
                foreach (string text in File.ReadLines(file))
                {
                    line++;
                    string code = text.TrimStart();
                    if (code.StartsWith("//", StringComparison.Ordinal)) continue;
                    foreach (Match literal in Regex.Matches(code, "\"(?:[^\"\\\\]|\\\\.)*\""))
                        if (Regex.IsMatch(literal.Value, @"(?<![\w-])--[a-z]|\bvae (?:train|export|evaluate|score|encode|decode|info|generate|reconstruct|cluster|classify)\b"))
                            found.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{line}: {literal.Value}");
                }
            }
        }
        Assert.True(found.Count == 0, "library strings that name the CLI:\n" + string.Join("\n", found));
    }

    private static IEnumerable<string> AllOptions(Command command) =>
        command.Options.Select(o => o.Name).Concat(command.Subcommands.SelectMany(AllOptions));
}
