using System.CommandLine;
using Vae.Cli.Pictures;
using Vae.Inference;

namespace Vae.Cli.Commands;

/// <summary><c>vae generate</c>: an n×n grid of decoded samples z ~ N(0, T² I), through ONNX Runtime only.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Exported model folder (encoder.onnx, decoder.onnx)", DefaultValueFactory = _ => "models/mnist" };
        var output = new Option<string>("--out") { Description = "PNG to write", DefaultValueFactory = _ => "out/samples.png" };
        var grid = new Option<int>("--grid") { Description = "Images per side", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed for z", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature") { Description = "Scale of z's standard deviation", DefaultValueFactory = _ => 1f };

        var command = new Command("generate", "Decode z ~ N(0, I) into an n×n grid of samples.") { model, output, grid, seed, temperature };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int n = parse.GetValue(grid);
            if (n <= 0) throw new ArgumentException($"--grid is {n}; expected at least 1.", "--grid");
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            var z = new float[n * n * vae.LatentSize];
            VaeModel.SampleLatent(z, new Random(parse.GetValue(seed)), parse.GetValue(temperature));
            float[] decoded = vae.Decode(z);
            var images = Enumerable.Range(0, n * n).Select(i => decoded.AsSpan(i * vae.InputSize, vae.InputSize).ToArray()).ToList();
            string path = parse.GetValue(output)!;
            var (w, h) = ImageGrid.Save(path, images, vae.Info.ImageShape, n);
            Console.WriteLine($"wrote {path} ({w}×{h}, {n}×{n} samples)");
        }));
        return command;
    }
}
