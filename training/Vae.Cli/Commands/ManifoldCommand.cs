using System.CommandLine;
using System.Globalization;
using SkiaSharp;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.MLNet;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae manifold</c>: decodes an n × n grid of points on a 2-D latent plane — the two latent dimensions (or two chosen
/// ones, the others at 0), or the plane of the top two principal directions of the test set's posterior means.
/// </summary>
internal static class ManifoldCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var output = PictureInputs.OutOption("out/manifold.png");
        var grid = new Option<int>("--grid") { Description = "Decoded images per side", DefaultValueFactory = _ => 20 };
        var range = new Option<float>("--range") { Description = "Half-width of the plane in standard deviations (prior σ = 1 for latent dims, data σ for principal directions)", DefaultValueFactory = _ => 2.5f };
        var dims = new Option<string?>("--dims") { Description = "Two latent dimensions spanning the plane (e.g. 0,1; others held at 0). Default: 0,1 for a 2-D latent, else the top two principal directions" };
        var pca = new Option<bool>("--pca") { Description = "Use the top two principal directions of the test set's posterior means even for a 2-D latent" };
        var label = new Option<int?>("--class") { Description = "Conditional models: the class every decoding is conditioned on (required for them)" };

        var command = new Command("manifold", "Decode an n×n grid over a 2-D latent plane (two latent dims, or the top two principal directions of the test codes).")
        {
            model, data.Data, output, grid, range, dims, pca, label,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int n = PictureInputs.PerSide(parse, grid, 1);
            float r = PictureInputs.Positive(parse, range);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            int? only = PictureInputs.ClassFor(vae, parse, label, parse.GetValue(model)!);
            int[]? chosen = parse.GetValue(dims) is string text ? LatentMapCommand.ParseDims(text, vae.LatentSize) : null;
            if (chosen is not null && parse.GetValue(pca)) throw new ArgumentException("--dims and --pca both given; choose one plane.", "--dims");
            if (vae.LatentSize < 2) throw new ArgumentException($"the model's latent has {vae.LatentSize} dimension; a plane needs at least 2.", "--model");

            Plane plane = chosen is not null || (vae.LatentSize == 2 && !parse.GetValue(pca))
                ? Plane.OfDims(chosen ?? [0, 1], vae.LatentSize)
                : Plane.OfPrincipalDirections(vae, PictureInputs.LoadTest(parse, data, vae));
            float[] z = plane.Grid(n, r);
            float[] decoded = vae.Decode(z, only is int c ? Enumerable.Repeat(c, n * n).ToArray() : null);
            var mosaic = new ImageGrid(vae.Info.ImageShape, n) { Scale = 1, Gap = 0 };
            mosaic.AddBatch(decoded);
            using SKBitmap bitmap = mosaic.Render();
            int scale = Math.Max(1, (int)Math.Round(900.0 / bitmap.Width));
            string title = string.Create(CultureInfo.InvariantCulture, $"{n}×{n} decodings over {plane.Description}, ±{r:0.##} σ{(only is int k ? $", label {k}" : "")}");
            var (w, h) = ManifoldChart.Save(path, bitmap, n, r, scale, title, plane.XLabel, plane.YLabel);
            Console.WriteLine($"wrote {path} ({w}×{h}: {n}×{n} decodings over {plane.Description})");
        }));
        return command;
    }

    /// <summary>A 2-D plane in latent space: origin + a·σ₁·u + b·σ₂·v for grid coordinates a, b.</summary>
    private sealed record Plane(double[] Origin, double[] U, double[] V, string Description, string XLabel, string YLabel)
    {
        public static Plane OfDims(int[] dims, int latent)
        {
            var (u, v) = (new double[latent], new double[latent]);
            (u[dims[0]], v[dims[1]]) = (1, 1);
            string others = latent > 2 ? ", others 0" : "";
            return new Plane(new double[latent], u, v, $"latent dims z[{dims[0]}], z[{dims[1]}]{others}", $"z[{dims[0]}] (prior σ = 1)", $"z[{dims[1]}] (prior σ = 1)");
        }

        public static Plane OfPrincipalDirections(VaeModel vae, Vae.Training.Data.Dataset test)
        {
            Pca pca = Pca.Fit(vae.Encode(test.Features, PictureInputs.ClassLabels(vae, test.Labels)).Mean, vae.LatentSize);
            double s1 = Math.Sqrt(pca.Variances[0]), s2 = Math.Sqrt(pca.Variances[1]);
            string explained = ChartStyle.Percent(pca.ExplainedRatio(0) + pca.ExplainedRatio(1));
            return new Plane(pca.Mean, pca.Components[0].Select(e => e * s1).ToArray(), pca.Components[1].Select(e => e * s2).ToArray(),
                $"the top two principal directions of {test.Count:N0} test codes ({explained} of variance)",
                string.Create(CultureInfo.InvariantCulture, $"PC1 in units of its σ = {s1:0.###}"), string.Create(CultureInfo.InvariantCulture, $"PC2 in units of its σ = {s2:0.###}"));
        }

        /// <summary>n × n latent points, row-major from the top row (largest b) to the bottom, left (smallest a) to right.</summary>
        public float[] Grid(int n, float range)
        {
            int latent = Origin.Length;
            var z = new float[n * n * latent];
            for (int row = 0; row < n; row++)
            {
                for (int column = 0; column < n; column++)
                {
                    double a = n == 1 ? 0 : -range + 2.0 * range * column / (n - 1);
                    double b = n == 1 ? 0 : range - 2.0 * range * row / (n - 1);
                    int offset = (row * n + column) * latent;
                    for (int j = 0; j < latent; j++) z[offset + j] = (float)(Origin[j] + a * U[j] + b * V[j]);
                }
            }
            return z;
        }
    }
}
