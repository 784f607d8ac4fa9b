using System.CommandLine;
using System.Globalization;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary><c>vae anomalies</c>: the k test images the model finds least likely, each captioned with its score.</summary>
internal static class AnomaliesCommand
{
    private static readonly Dictionary<string, (string Name, string Unit, Func<AnomalyScore, float> Value)> Scores = new()
    {
        ["nll"] = ("−log p(x) (IWAE bound)", " nats", s => s.NegativeLogLikelihood),
        ["neg-elbo"] = ("−ELBO", " nats", s => s.NegativeElbo),
        ["reconstruction"] = ("reconstruction −log p(x|z)", " nats", s => s.ReconstructionNll),
        ["kl"] = ("KL(q(z|x) ‖ p(z))", " nats", s => s.Kl),
        ["squared-error"] = ("squared error ‖x − x̂‖²", "", s => s.SquaredError),
    };

    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var output = PictureInputs.OutOption("out/anomalies.png");
        var top = new Option<int>("--top", "-k") { Description = "Number of most anomalous images to show", DefaultValueFactory = _ => 16 };
        var columns = new Option<int>("--columns") { Description = "Images per row", DefaultValueFactory = _ => 8 };
        var score = new Option<string>("--score") { Description = $"Anomaly score: {string.Join(", ", Scores.Keys)}", DefaultValueFactory = _ => "nll" };
        var samples = new Option<int>("--samples") { Description = "Latent samples per image for the nll / neg-elbo / reconstruction estimates", DefaultValueFactory = _ => 10 };
        var count = new Option<int>("--count") { Description = "Score only the first N test images (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed for the latent samples", DefaultValueFactory = _ => 1 };

        var command = new Command("anomalies", "Show the k test images with the highest anomaly score (−log p(x), −ELBO, ...), with their scores.")
        {
            model, data.Data, output, top, columns, score, samples, count, seed,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(output)!;
            PngFile.CheckPath(path);
            int k = PictureInputs.AtLeast(parse, top, 1), perRow = PictureInputs.AtLeast(parse, columns, 1);
            int draws = PictureInputs.Draws(parse, samples), limit = PictureInputs.AtLeast(parse, count, 0);
            string key = parse.GetValue(score)!;
            if (!Scores.TryGetValue(key, out var chosen))
                throw new ArgumentException($"--score is '{key}'; expected one of {string.Join(", ", Scores.Keys)}.", "--score");
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            Dataset test = PictureInputs.LoadTest(parse, data, vae, limit);
            if (k > test.Count) throw new ArgumentException($"--top is {k}; expected at most {test.Count} (the number of test images).", "--top");

            float[] values = vae.ScoreAnomalies(test.Features, draws, parse.GetValue(seed), PictureInputs.ClassLabels(vae, test.Labels)).Select(chosen.Value).ToArray();
            int[] worst = Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).Take(k).ToArray();
            double median = values.Order().ElementAt(values.Length / 2);
            var picture = new ImageGrid(vae.Info.ImageShape, Math.Min(perRow, k))
            {
                Title = string.Create(CultureInfo.InvariantCulture,
                    $"{k} most anomalous of {test.Count:N0} test images by {chosen.Name}, {draws} z sample{(draws == 1 ? "" : "s")}; median {median:0.0}{chosen.Unit}"),
            };
            foreach (int i in worst)
                picture.Add(test.Features.AsSpan(i * vae.InputSize, vae.InputSize), string.Create(CultureInfo.InvariantCulture, $"#{i}{(test.Labels is { } labels ? $" ({labels[i]})" : "")}\n{values[i]:0.0}"));
            var (w, h) = picture.Save(path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({w}×{h}: top {k} by {key}, {values[worst[0]]:0.0} to {values[worst[^1]]:0.0}; median {median:0.0})"));
        }));
        return command;
    }
}
