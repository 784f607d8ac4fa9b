using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Inference;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae generate</c>: an n×n grid of decoded samples z ~ N(0, T² I), through ONNX Runtime only; for conditional
/// models one class (<c>--class</c>) or one row per class (<c>--per-class</c>).
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var output = PictureInputs.OutOption("out/samples.png");
        var grid = new Option<int>("--grid") { Description = "Images per side (with --per-class: samples per class)", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed for z", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature") { Description = "Scale T of z's standard deviation: z ~ N(0, T² I)", DefaultValueFactory = _ => 1f };
        var label = new Option<int?>("--class") { Description = "Conditional models: generate this class only" };
        var perClass = new Option<bool>("--per-class") { Description = "Conditional models: one row per class" };

        var command = new Command("generate", "Decode z ~ N(0, T² I) into an n×n grid of samples (per class for conditional models).")
        {
            model, output, grid, seed, temperature, label, perClass,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int n = PictureInputs.PerSide(parse, grid, 1);
            float t = PictureInputs.Positive(parse, temperature);
            int s = parse.GetValue(seed);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            bool rows = parse.GetValue(perClass);
            if (rows && vae.Classes == 0)
                throw new ArgumentException($"--per-class needs a conditional model; {parse.GetValue(model)} has no labels (metadata vae.classes = 0).", "--per-class");
            if (rows && parse.GetValue(label) is not null) throw new ArgumentException("--class and --per-class both given; choose one.", "--class");
            int? only = rows ? null : PictureInputs.ClassFor(vae, parse, label, parse.GetValue(model)!);
            string prior = vae.Hierarchy is { } layers
                ? string.Create(CultureInfo.InvariantCulture, $"z_{layers.Layers} ~ {(layers.HasVampPrior ? $"VampPrior ({layers.PriorComponents} pseudo-inputs)" : "N(0, I)")}, then each layer below{(t == 1 ? "" : $", temperature {t:0.##}")}, seed {s}")
                : t == 1 ? $"z ~ N(0, I), seed {s}" : string.Create(CultureInfo.InvariantCulture, $"z ~ N(0, {t:0.##}² I), seed {s}");
            ImageGrid picture;
            if (rows)
            {
                picture = new ImageGrid(vae.Info.ImageShape, n)
                {
                    Title = $"{n} samples per class: {prior}",
                    RowLabels = Enumerable.Range(0, vae.Info.Classes).Select(k => $"label {k}").ToArray(),
                };
                picture.AddBatch(vae.Generate(Enumerable.Range(0, vae.Info.Classes).SelectMany(k => Enumerable.Repeat(k, n)).ToArray(), s, t));
            }
            else
            {
                picture = new ImageGrid(vae.Info.ImageShape, n) { Title = only is int k ? $"{n * n} samples of label {k}: {prior}" : $"{n * n} samples: {prior}" };
                picture.AddBatch(only is int k2
                    ? vae.Generate(Enumerable.Repeat(k2, n * n).ToArray(), s, t)
                    : vae.Generate(n * n, s, t));
            }
            var (w, h) = picture.Save(path);
            Console.WriteLine($"wrote {path} ({w}×{h}, {picture.Count} samples)");
        }));
        return command;
    }
}
