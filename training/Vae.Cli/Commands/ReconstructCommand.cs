using System.CommandLine;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary><c>vae reconstruct</c>: test images above their reconstructions (decoded posterior means).</summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Exported model folder", DefaultValueFactory = _ => "models/mnist" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultFolder };
        var output = new Option<string>("--out") { Description = "PNG to write", DefaultValueFactory = _ => "out/reconstructions.png" };
        var count = new Option<int>("--count") { Description = "Number of test images", DefaultValueFactory = _ => 8 };

        var command = new Command("reconstruct", "Draw test images (top row) above their reconstructions (bottom row).") { model, data, output, count };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(count);
            if (n <= 0) throw new ArgumentException($"--count is {n}; expected at least 1.", "--count");
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            Dataset test = Mnist.LoadTest(parse.GetValue(data)!).Take(n);
            if (test.SampleSize != vae.InputSize)
                throw new ArgumentException($"test images have {test.SampleSize} values; the model expects {vae.InputSize}.");
            var (mean, _) = vae.Encode(test.Features);
            float[] reconstructed = vae.Decode(mean);
            int size = vae.InputSize;
            var images = new List<float[]>();
            for (int i = 0; i < test.Count; i++) images.Add(test.Features.AsSpan(i * size, size).ToArray());
            for (int i = 0; i < test.Count; i++) images.Add(reconstructed.AsSpan(i * size, size).ToArray());
            string path = parse.GetValue(output)!;
            var (w, h) = ImageGrid.Save(path, images, vae.Info.ImageShape, test.Count);
            Console.WriteLine($"wrote {path} ({w}×{h}: {test.Count} test images above their reconstructions)");
        }));
        return command;
    }
}
