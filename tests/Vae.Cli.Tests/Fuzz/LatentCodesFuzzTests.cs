using System.Globalization;
using System.Text;
using Vae.Cli.Tables;
using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Data;
using Xunit.Abstractions;

namespace Vae.Cli.Tests.Fuzz;

/// <summary>
/// The latent-codes reader of <c>vae decode --codes</c> on mutated files (with a header as <c>vae encode</c> writes it,
/// conditional, and without one): codes of the model's size with labels of its classes, or a
/// <see cref="DataFormatException"/> naming the file.
/// </summary>
public class LatentCodesFuzzTests(ITestOutputHelper output)
{
    private const int Latent = 3, Classes = 4;

    [Fact]
    public void Latent_code_files_are_read_to_the_models_size_or_refused_naming_the_file()
    {
        string root = RepoPaths.NewTempFolder();
        FuzzRunner.Run("latent codes", FuzzRunner.Cases(2000), seed: 10_000, (random, i) =>
        {
            bool header = random.Next(2) == 0;
            var (text, what) = FuzzMutator.Csv(Valid(random, header), random);
            string path = Path.Combine(root, $"case{i}.csv");
            File.WriteAllText(path, text);
            return new FuzzCase
            {
                Description = $"{what} (header {header})",
                IsClearError = e => e is DataFormatException && e.Message.Contains(path, StringComparison.Ordinal),
                Read = () =>
                {
                    LatentCodesFile.Codes codes = LatentCodesFile.Read(path, Latent, Classes, header ? null : 0);
                    if (codes.Values.Length != codes.Count * Latent || codes.Labels?.Length != codes.Count)
                        throw new FuzzMismatch($"{codes.Count} codes with {codes.Values.Length} values and {codes.Labels?.Length} labels");
                    if (codes.Values.Any(v => !float.IsFinite(v)) || codes.Labels.Any(l => l is < 0 or >= Classes))
                        throw new FuzzMismatch("a value that is not finite or a label outside the model's classes");
                },
            };
        }, output);
    }

    /// <summary>Codes as <c>vae encode</c> writes them for a conditional model (index, label, mean_0 …), or plain rows of label and values.</summary>
    private static string Valid(Random random, bool header)
    {
        var text = new StringBuilder();
        if (header) text.Append("index,label,").Append(string.Join(',', Enumerable.Range(0, Latent).Select(d => $"mean_{d}"))).Append('\n');
        int rows = 2 + random.Next(5);
        for (int r = 0; r < rows; r++)
        {
            string values = string.Join(',', Enumerable.Range(0, Latent).Select(_ => (random.NextDouble() * 6 - 3).ToString("R", CultureInfo.InvariantCulture)));
            text.Append(header ? $"{r},{random.Next(Classes)},{values}" : $"{random.Next(Classes)},{values}").Append('\n');
        }
        return text.ToString();
    }
}
