using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae traverse</c>: one row per latent dimension, decoding the code of a test image with that one dimension moved
/// from μ − range to μ + range while the others stay at the image's posterior mean. Each row is labelled with the
/// dimension's mean KL over the test set, so collapsed (inactive) dimensions are easy to spot.
/// </summary>
internal static class TraverseCommand
{
    /// <summary>Test images used to estimate each dimension's mean KL.</summary>
    private const int KlSamples = 2000;

    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var output = PictureInputs.OutOption("out/traverse.png");
        var index = new Option<int>("--index") { Description = "Test image whose code is traversed", DefaultValueFactory = _ => 0 };
        var steps = new Option<int>("--steps") { Description = "Decoded images per row", DefaultValueFactory = _ => 11 };
        var range = new Option<float>("--range") { Description = "Largest change of a dimension, in prior standard deviations", DefaultValueFactory = _ => 3f };
        var dims = new Option<string?>("--dims") { Description = "Dimensions to traverse, comma-separated (default: all)" };
        var top = new Option<int>("--top") { Description = "Traverse only the N dimensions with the highest mean KL, most informative first (0: off)", DefaultValueFactory = _ => 0 };

        var command = new Command("traverse", "One row per latent dimension: vary it around a test image's code, the others held fixed.")
        {
            model, data.Data, output, index, steps, range, dims, top,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int n = PictureInputs.PerSide(parse, steps, 2);
            float r = PictureInputs.Positive(parse, range);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            int latent = vae.LatentSize;
            int most = PictureInputs.AtLeast(parse, top, 0);
            if (most > latent) throw new ArgumentException($"--top is {most}; expected at most {latent} (the latent size).", "--top");
            if (most > 0 && parse.GetValue(dims) is not null) throw new ArgumentException("--dims and --top both given; choose one.", "--top");
            Dataset test = PictureInputs.LoadTest(parse, data, vae);
            int i = PictureInputs.TestIndex(parse, index, test.Count);

            double[] kl = MeanKlPerDimension(vae, test.Take(KlSamples));
            int[] rows = parse.GetValue(dims) is string text ? ParseDimList(text, latent)
                : most > 0 ? Enumerable.Range(0, latent).OrderByDescending(d => kl[d]).Take(most).ToArray()
                : Enumerable.Range(0, latent).ToArray();
            int[]? label = vae.Classes > 0 ? [test.Labels![i]] : null;
            var (mean, _) = vae.Encode(test.Features.AsSpan(i * vae.InputSize, vae.InputSize).ToArray(), label);
            float[] offsets = Enumerable.Range(0, n).Select(s => -r + 2 * r * s / (n - 1)).ToArray();
            var z = new float[rows.Length * n * latent];
            for (int row = 0; row < rows.Length; row++)
            {
                for (int s = 0; s < n; s++)
                {
                    Span<float> code = z.AsSpan((row * n + s) * latent, latent);
                    mean.CopyTo(code);
                    code[rows[row]] += offsets[s];
                }
            }
            var grid = new ImageGrid(vae.Info.ImageShape, n)
            {
                Scale = 2,
                Title = string.Create(CultureInfo.InvariantCulture, $"Traversal around test image {i}{PictureInputs.About(test, i)}: z[d] = μ[d] + δ, one row per dimension"),
                ColumnHeaders = offsets.Select(o => string.Create(CultureInfo.InvariantCulture, $"δ {o:+0.0;−0.0;0}")).ToArray(),
                RowLabels = rows.Select(d => string.Create(CultureInfo.InvariantCulture, $"z[{d}]  KL {kl[d]:0.00}")).ToArray(),
            };
            grid.AddBatch(vae.Decode(z, label is null ? null : Enumerable.Repeat(label[0], rows.Length * n).ToArray()));
            var (w, h) = grid.Save(path);
            Console.WriteLine($"wrote {path} ({w}×{h}: {rows.Length} dimension{(rows.Length == 1 ? "" : "s")} × {n} steps)");
        }));
        return command;
    }

    /// <summary>Mean over the samples of KL(q(z_d|x) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²), per dimension d, in nats.</summary>
    private static double[] MeanKlPerDimension(VaeModel vae, Dataset sample)
    {
        var (mean, logvar) = vae.Encode(sample.Features, vae.Classes > 0 ? sample.Labels : null);
        int latent = vae.LatentSize, count = mean.Length / latent;
        var kl = new double[latent];
        for (int i = 0; i < mean.Length; i++)
            kl[i % latent] += 0.5 * (mean[i] * mean[i] + Math.Exp(logvar[i]) - 1 - logvar[i]);
        return kl.Select(v => v / count).ToArray();
    }

    private static int[] ParseDimList(string text, int latent)
    {
        int[] dims = ModelOptions.ParseSizes(text, "--dims");
        if (dims.Length == 0 || dims.Any(d => d < 0 || d >= latent) || dims.Distinct().Count() != dims.Length)
            throw new ArgumentException($"--dims is '{text}'; expected distinct latent dimensions from 0 to {latent - 1}, e.g. 0,3,5.", "--dims");
        return dims;
    }
}
