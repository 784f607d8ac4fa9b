using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae interpolate</c>: decodings along the latent path between two test images' posterior means, one row
/// linear and one row spherical (slerp), framed by the two inputs.
/// </summary>
internal static class InterpolateCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var output = PictureInputs.OutOption("out/interpolation.png");
        var from = new Option<int>("--from") { Description = "Index of the first test image", DefaultValueFactory = _ => 0 };
        var to = new Option<int>("--to") { Description = "Index of the second test image", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Decoded points on each path, both ends included", DefaultValueFactory = _ => 10 };

        var command = new Command("interpolate", "Decode the linear and the spherical path between two test images' latent codes.")
        {
            model, data.Data, output, from, to, steps,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int n = PictureInputs.PerSide(parse, steps, 2);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            int first = parse.GetValue(from), last = parse.GetValue(to);
            Dataset test = PictureInputs.LoadTest(parse, data, vae, Math.Min(first, last) < 0 ? 0 : PictureInputs.Through(Math.Max(first, last), 1));
            int a = PictureInputs.TestIndex(parse, from, test.Count), b = PictureInputs.TestIndex(parse, to, test.Count);
            float[] x0 = test.Features.AsSpan(a * vae.InputSize, vae.InputSize).ToArray();
            float[] x1 = test.Features.AsSpan(b * vae.InputSize, vae.InputSize).ToArray();
            int[]? labels = vae.Classes > 0 ? [test.Labels![a]] : null;

            var picture = new ImageGrid(vae.Info.ImageShape, n + 2)
            {
                Title = $"From test image {a}{PictureInputs.About(test, a)} to test image {b}{PictureInputs.About(test, b)}: decoded latent paths",
                ColumnHeaders = [$"test {a}", .. Enumerable.Range(0, n).Select(i => string.Create(CultureInfo.InvariantCulture, $"t = {(double)i / (n - 1):0.##}")), $"test {b}"],
                RowLabels = ["linear", "spherical"],
            };
            foreach (Interpolation kind in new[] { Interpolation.Linear, Interpolation.Spherical })
            {
                picture.Add(x0);
                picture.AddBatch(vae.Interpolate(x0, x1, n, kind, labels));
                picture.Add(x1);
            }
            var (w, h) = picture.Save(path);
            Console.WriteLine($"wrote {path} ({w}×{h}: {n} steps from test image {a} to {b}, linear and spherical)");
        }));
        return command;
    }
}
