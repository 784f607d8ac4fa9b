using System.CommandLine;
using System.Globalization;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary><c>vae export</c>: writes encoder.onnx, decoder.onnx and model.json, verified against TorchSharp.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder written by 'vae train'", DefaultValueFactory = _ => "runs/mnist" };
        var output = new Option<string>("--out") { Description = "Model folder to write", DefaultValueFactory = _ => "models/mnist" };
        var data = new Option<string>("--data") { Description = "MNIST folder; its test images join the random inputs of the verification", DefaultValueFactory = _ => Mnist.DefaultFolder };
        var opset = new Option<int>("--opset") { Description = "ONNX opset", DefaultValueFactory = _ => ExportOptions.DefaultOpset };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest accepted |ONNX Runtime - TorchSharp| difference", DefaultValueFactory = _ => 1e-5 };

        var command = new Command("export", "Export a checkpoint as encoder.onnx + decoder.onnx (opset 17, IR 8, dynamic batch) and verify both in ONNX Runtime.")
        {
            checkpoint, output, data, opset, tolerance,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string from = parse.GetValue(checkpoint)!;
            string to = parse.GetValue(output)!;
            using VaeModule model = Checkpoint.Load(from);
            string dataFolder = parse.GetValue(data)!;
            using var real = File.Exists(Path.Combine(dataFolder, "t10k-images-idx3-ubyte"))
                ? Trainer.ToTensor(Mnist.LoadTest(dataFolder, verify: false).Take(64))
                : null;
            var options = new ExportOptions
            {
                Opset = parse.GetValue(opset),
                Tolerance = parse.GetValue(tolerance),
                TrainingSummary = Checkpoint.ReadTrainingJson(from),
                Command = $"vae export --checkpoint {from} --out {to}",
            };
            ExportResult result = VaeExporter.Export(model, to, options, real);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"exported {result.EncoderPath} and {result.DecoderPath} in {result.Seconds:F2}s; ONNX Runtime vs TorchSharp max |diff| {result.MaxAbsDifference:G3} (batches 1 and 37)"));
        }));
        return command;
    }
}
