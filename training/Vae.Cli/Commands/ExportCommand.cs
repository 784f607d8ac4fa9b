using System.CommandLine;
using System.Globalization;
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
        var data = new Option<string>("--data") { Description = "MNIST folder; its test images (and labels) join the random inputs of the verification", DefaultValueFactory = _ => Mnist.DefaultFolder };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset ({OnnxOpsets.Min} to {OnnxOpsets.Max})", DefaultValueFactory = _ => ExportOptions.DefaultOpset };
        var irVersion = new Option<int?>("--ir-version") { Description = "ONNX IR version (default: 8, or the lowest the opset needs)" };
        var tolerance = new Option<double>("--tolerance") { Description = "Absolute part of the verification tolerance (|ONNX Runtime - TorchSharp| <= tolerance + 1e-6*|TorchSharp|)", DefaultValueFactory = _ => ExportOptions.DefaultTolerance };
        var logitsOnly = new Option<bool>("--logits-only") { Description = "Bernoulli decoders: output the logits only, without probs = sigmoid(logits) (then Vae.Inference applies the sigmoid itself; likelihood scoring skips ONNX Runtime's sigmoid)" };
        var check = new Option<string?>("--check") { Description = "Re-verify the exported pair in this folder against its checkpoint instead of exporting" };

        var command = new Command("export", "Export a checkpoint as encoder.onnx + decoder.onnx (opset 17, IR 8, dynamic batch) and verify both in ONNX Runtime.")
        {
            checkpoint, output, data, opset, irVersion, tolerance, logitsOnly, check,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string from = parse.GetValue(checkpoint)!;
            string dataFolder = parse.GetValue(data)!;
            if (parse.GetValue(check) is string folder)
            {
                string? explicitCheckpoint = parse.GetResult(checkpoint) is { Implicit: false } ? from : null;
                string recorded = explicitCheckpoint ?? VaeExporter.RecordedCheckpoint(folder);
                using VaeModule checkedModel = Checkpoint.Load(recorded);
                var (checkReal, checkLabels) = RealSamples(checkedModel.Config, dataFolder);
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
            var (real, labels) = RealSamples(model.Config, dataFolder);
            using (real)
            using (labels)
            {
                ExportResult result = VaeExporter.Export(model, to, options, real, labels);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"exported {result.EncoderPath} and {result.DecoderPath} (opset {options.Opset}, IR {options.EffectiveIrVersion}) in {result.Seconds:F2}s incl. verification (build {result.Phases.Build:F2}s, verify {result.Phases.Verify:F2}s, write {result.Phases.Write:F2}s); ONNX Runtime vs TorchSharp max |diff| {result.MaxAbsDifference:G3} (batches 1 and 37)"));
            }
        }));
        return command;
    }

    // MNIST test images and labels for MNIST-shaped models when the folder has them; (null, null) otherwise.
    private static (Tensor? Samples, Tensor? Labels) RealSamples(VaeConfig config, string dataFolder)
    {
        if (!config.InputShape.SequenceEqual([1, 28, 28]) || !File.Exists(Path.Combine(dataFolder, "t10k-images-idx3-ubyte")))
            return (null, null);
        Dataset test = Mnist.LoadTest(dataFolder, verify: false).Take(RealSampleCount);
        Tensor samples = Trainer.ToTensor(test);
        Tensor? labels = test.Labels is null ? null : tensor(test.Labels.Select(l => (long)l).ToArray());
        return (samples, labels);
    }
}
