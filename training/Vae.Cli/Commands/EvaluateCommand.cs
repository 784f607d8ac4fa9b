using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vae.Inference;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary><c>vae evaluate</c>: test −ELBO, importance-sampled NLL, active units and reconstruction error of a trained model:
/// a checkpoint through TorchSharp, or an exported pair through ONNX Runtime.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new DataOptionsSet();
        var model = new Option<string>("--model") { Description = "Run folder from 'vae train' (its best/ checkpoint is used), a checkpoint folder (config.json + weights.bin), or an exported model folder (encoder.onnx + decoder.onnx, evaluated through ONNX Runtime)", DefaultValueFactory = _ => "runs/mnist" };
        var k = new Option<int>("--k") { Description = "Importance samples per test input for the NLL", DefaultValueFactory = _ => 5000 };
        var seed = new Option<long>("--seed") { Description = "Seed of the test-set binarisation (Bernoulli models) and of the z samples", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };

        var command = new Command("evaluate", "Evaluate a trained model on a test set: -ELBO, importance-sampled NLL with k samples (Burda et al. 2016; on a fixed seeded binarisation of the test set for Bernoulli models), active units, reconstruction error.");
        foreach (Option o in (Option[])[model, .. data.All, k, seed, json])
            command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int samples = parse.GetValue(k);
            if (samples < 1) throw new ArgumentException($"--k is {samples}; expected at least 1.", "--k");
            string folder = parse.GetValue(model)!;
            bool exported = File.Exists(Path.Combine(folder, VaeModel.EncoderFile)) && !File.Exists(Path.Combine(folder, Checkpoint.ConfigFile));
            bool asJson = parse.GetValue(json);
            bool live = !asJson && !Console.IsErrorRedirected;
            Dataset? test = null;
            Action<long>? progress = live ? done => Console.Error.Write($"\rNLL: {done}/{test!.Count} test samples") : null;
            TestReport report;
            string described;
            if (exported)
            {
                using VaeModel pair = VaeModel.Load(folder);
                if (samples > VaeModel.MaxAnomalySamples)
                    throw new ArgumentException($"--k is {samples}; expected at most {VaeModel.MaxAnomalySamples} for an exported model.", "--k");
                test = data.LoadTest(parse, pair.Info.Normalization);
                PictureInputs.CheckShape(test, pair, data.Data.Name, parse.GetValue(data.TestData) ?? parse.GetValue(data.Data)!);
                report = TestReport.Evaluate(pair, test, samples, parse.GetValue(seed), progress);
                described = $"{pair.Info.ModelKind} input [{string.Join(", ", pair.Info.InputShape)}] → {pair.LatentSize}, {pair.Info.Likelihood} ({Path.GetFullPath(folder)}, through ONNX Runtime)";
            }
            else
            {
                using VaeModule vae = Checkpoint.Load(folder);
                test = data.LoadTest(parse, Checkpoint.ReadNormalization(folder));
                report = TestReport.Evaluate(vae, test, samples, parse.GetValue(seed), onProgress: progress);
                described = $"{TrainProgress.Describe(vae.Config)} ({Checkpoint.Resolve(folder)})";
            }
            if (live) Console.Error.WriteLine();
            if (report.NonFiniteFigures() is { Count: > 0 } broken)
                Console.Error.WriteLine($"warning: {string.Join(", ", broken)} {(broken.Count == 1 ? "is" : "are")} not finite; the model's weights or outputs hold NaN or infinity (a diverged run?).");
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(report));
                return;
            }
            Console.WriteLine($"model: {described}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test set: {report.TestCount} samples{(report.Binarized ? $", binarised once with seed {report.Seed}" : "")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"-ELBO            {report.NegElbo,9:F2} nats  (reconstruction {report.Reconstruction:F2}, KL {report.Kl:F2})"));
            if (report.NegElboUnbinarized is { } u)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"-ELBO [0,1] x    {u,9:F2} nats  (on the unbinarised pixels)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{$"NLL (k={report.K})",-16} {report.Nll,9:F2} nats"));
            Console.WriteLine($"active units     {report.ActiveUnits,9} of {report.LatentSize}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reconstruction   {report.ReconstructionMse,9:F5} mean squared error per pixel"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Seconds:F1} s"));
        }));
        return command;
    }
}
