using System.CommandLine;
using System.Globalization;
using Vae.Training;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae export</c>: writes encoder.onnx, decoder.onnx, model.json and reference.json, verified against TorchSharp;
/// <c>vae export --check &lt;dir&gt;</c> re-verifies an exported pair against its checkpoint.
/// </summary>
internal static class ExportCommand
{
    private const int RealSampleCount = 64;

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder written by 'vae train' (with --check: overrides the one recorded in model.json)", DefaultValueFactory = _ => "runs/mnist" };
        var output = new Option<string>("--out") { Description = "Model folder to write", DefaultValueFactory = _ => "models/mnist" };
        var data = new DataOptionsSet("Test images (and labels) that join the random inputs of the verification: an MNIST folder (its t10k split), a folder of images, a .csv or an idx file, read as train reads them (default: data/mnist, used when present and of the model's shape)");
        var opset = new Option<int>("--opset") { Description = $"ONNX opset ({OnnxOpsets.Min} to {OnnxOpsets.Max})", DefaultValueFactory = _ => ExportOptions.DefaultOpset };
        var irVersion = new Option<int?>("--ir-version") { Description = "ONNX IR version (default: 8, or the lowest the opset needs; at most 13)" };
        var tolerance = new Option<double>("--tolerance") { Description = "Absolute part of the verification tolerance (|ONNX Runtime - TorchSharp| <= tolerance + 1e-6*|TorchSharp|)", DefaultValueFactory = _ => ExportOptions.DefaultTolerance };
        var logitsOnly = new Option<bool>("--logits-only") { Description = "Bernoulli decoders: output the logits only, without probs = sigmoid(logits) (then Vae.Inference applies the sigmoid itself; likelihood scoring skips ONNX Runtime's sigmoid)" };
        var check = new Option<string?>("--check") { Description = "Re-verify the exported pair in this folder against its checkpoint instead of exporting" };

        var command = new Command("export", "Export a checkpoint as encoder.onnx + decoder.onnx (opset 17, IR 8, dynamic batch; hierarchical models also their layer graphs and prior) and verify every graph in ONNX Runtime.")
        {
            checkpoint, output, data.Data, opset, irVersion, tolerance, logitsOnly, check,
        };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string from = parse.GetValue(checkpoint)!;
            if (parse.GetValue(check) is string folder)
            {
                string? explicitCheckpoint = parse.GetResult(checkpoint) is { Implicit: false } ? from : null;
                string recorded = explicitCheckpoint ?? VaeExporter.RecordedCheckpoint(folder);
                using VaeModule checkedModel = Checkpoint.Load(recorded);
                var (checkReal, checkLabels) = RealSamples(checkedModel.Config, parse, data, recorded);
                using (checkReal)
                using (checkLabels)
                {
                    var (used, difference) = VaeExporter.Check(folder, recorded, parse.GetValue(tolerance), checkReal, checkLabels);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{folder} matches checkpoint {used}: ONNX Runtime vs TorchSharp max |diff| {difference:G3} (batches 1 and 37)"));
                }
                return;
            }

            string to = parse.GetValue(output)!;
            OutputPath.CheckFolder(to, "--out");
            var options = new ExportOptions
            {
                Opset = parse.GetValue(opset),
                IrVersion = parse.GetValue(irVersion),
                Tolerance = parse.GetValue(tolerance),
                ProbabilitiesOutput = !parse.GetValue(logitsOnly),
                TrainingSummary = Checkpoint.ReadTrainingJson(from),
                CheckpointPath = from,
                Command = $"vae export --checkpoint {from} --out {to}" + (parse.GetValue(logitsOnly) ? " --logits-only" : ""),
            }.Validate();
            using VaeModule model = Checkpoint.Load(from);
            var (real, labels) = RealSamples(model.Config, parse, data, from);
            using (real)
            using (labels)
            {
                ExportResult result = VaeExporter.Export(model, to, options, real, labels);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"exported {result.EncoderPath} and {result.DecoderPath}{(result.LayerGraphPaths.Count > 0 ? $" with the layer graphs {string.Join(", ", result.LayerGraphPaths.Select(Path.GetFileName))}" : "")} (opset {options.Opset}, IR {options.EffectiveIrVersion}) in {result.Seconds:F2}s incl. verification (build {result.Phases.Build:F2}s, verify {result.Phases.Verify:F2}s, write {result.Phases.Write:F2}s); ONNX Runtime vs TorchSharp max |diff| {result.MaxAbsDifference:G3} (batches 1 and 37)"));
            }
        }));
        return command;
    }

    /// <summary>
    /// The first <see cref="RealSampleCount"/> test samples of <c>--data</c> (and their labels, for conditional models) as
    /// verification inputs. Left at its default, <c>--data</c> is skipped when the MNIST folder is missing or its images
    /// are not of the model's shape; given explicitly, it must be readable and fit the model.
    /// </summary>
    private static (Tensor? Samples, Tensor? Labels) RealSamples(VaeConfig config, ParseResult parse, DataOptionsSet data, string checkpoint)
    {
        string path = parse.GetValue(data.Data)!;
        bool given = parse.GetResult(data.Data) is { Implicit: false };
        if (!given && (!DataSource.IsMnistFolder(path) || config.InputSize != Mnist.ImageSize)) return (null, null);
        // read as the model's training data was (its recorded normalisation), or the verification inputs would not be real ones
        Dataset test = data.LoadTestOfData(parse, RealSampleCount, Checkpoint.ReadNormalization(checkpoint));
        PictureInputs.CheckShape(test, config.InputShape, data.Data.Name, path);
        if (config.Likelihood == Likelihood.Bernoulli) test.CheckUnitInterval(path);   // as training read it: the verification inputs are real ones
        Tensor samples = tensor(test.Features, [test.Count, .. config.InputShape.Select(d => (long)d)]);
        if (config.Classes == 0 || test.Labels is null) return (samples, null);
        if (test.Labels.Any(l => l < 0 || l >= config.Classes))
        {
            samples.Dispose();
            throw new ArgumentException($"{path} has labels from {test.Labels.Min()} to {test.Labels.Max()}; the model has {config.Classes} classes (0..{config.Classes - 1}).", data.Data.Name);
        }
        return (samples, tensor(test.Labels.Select(l => (long)l).ToArray()));
    }
}
