using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae reconstruct</c>: test images above their reconstructions (decoded posterior means); with <c>--noise σ</c>
/// the denoising view: noisy inputs, what the model makes of them, and the clean originals.
/// </summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var output = PictureInputs.OutOption("out/reconstructions.png");
        var count = new Option<int>("--count") { Description = "Number of test images", DefaultValueFactory = _ => 8 };
        var start = new Option<int>("--start") { Description = "Index of the first test image", DefaultValueFactory = _ => 0 };
        var noise = new Option<float>("--noise") { Description = "Standard deviation of Gaussian noise added to the inputs (clipped to [0, 1]); 0: plain reconstructions", DefaultValueFactory = _ => 0f };
        var seed = new Option<int>("--seed") { Description = "Seed for the noise", DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iterations") { Description = "With --noise: encode → decode passes of the denoiser", DefaultValueFactory = _ => 1 };

        var command = new Command("reconstruct", "Draw test images above their reconstructions; with --noise, noisy / denoised / clean rows.")
        {
            model, data.Data, output, count, start, noise, seed, iterations,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int n = PictureInputs.AtLeast(parse, count, 1);
            int passes = PictureInputs.AtLeast(parse, iterations, 1);
            float sigma = parse.GetValue(noise);
            if (!float.IsFinite(sigma) || sigma < 0) throw new ArgumentException($"--noise is {sigma}; expected 0 (off) or a positive standard deviation.", "--noise");
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            Dataset all = PictureInputs.LoadTest(parse, data, vae, PictureInputs.Through(parse.GetValue(start), n));
            int first = PictureInputs.TestIndex(parse, start, all.Count);
            Dataset test = all.Subset(Enumerable.Range(first, Math.Min(n, all.Count - first)).ToArray());
            int[]? labels = vae.Classes > 0 ? test.Labels : null;
            string range = test.Count == 1 ? $"test image {first}" : $"test images {first}–{first + test.Count - 1}";

            ImageGrid picture;
            if (sigma == 0)
            {
                picture = new ImageGrid(vae.Info.ImageShape, test.Count)
                {
                    Title = $"Reconstructions of {range} (decoded posterior means)",
                    RowLabels = ["input", "reconstruction"],
                };
                picture.AddBatch(test.Features);
                picture.AddBatch(vae.Reconstruct(test.Features, labels));
            }
            else
            {
                float[] noisy = AddNoise(test.Features, sigma, parse.GetValue(seed));
                picture = new ImageGrid(vae.Info.ImageShape, test.Count)
                {
                    Title = string.Create(CultureInfo.InvariantCulture, $"Denoising {range}: input + N(0, {sigma:0.###}²) noise, clipped to [0, 1]"),
                    RowLabels = ["noisy", passes == 1 ? "denoised" : $"denoised ×{passes}", "clean"],
                };
                picture.AddBatch(noisy);
                picture.AddBatch(vae.Denoise(noisy, passes, labels));
                picture.AddBatch(test.Features);
            }
            var (w, h) = picture.Save(path);
            // --start near the end draws the images there are, and says how many
            string fewer = test.Count < n ? $"; only {test.Count} of the {n} asked for: the data ends at image {all.Count - 1}" : "";
            Console.WriteLine($"wrote {path} ({w}×{h}: {range}{(sigma > 0 ? ", noisy / denoised / clean" : " above their reconstructions")}{fewer})");
        }));
        return command;
    }

    private static float[] AddNoise(float[] x, float sigma, int seed)
    {
        var noise = new GaussianNoise(seed);
        var noisy = new float[x.Length];
        for (int i = 0; i < x.Length; i++) noisy[i] = Math.Clamp(x[i] + sigma * noise.Next(), 0f, 1f);
        return noisy;
    }
}
