using System.CommandLine;
using Vae.Cli.Commands;

var root = new RootCommand("vae: train variational autoencoders with TorchSharp, export them to ONNX, and use them.")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    ExportCommand.Create(),
    GenerateCommand.Create(),
    ReconstructCommand.Create(),
};
return root.Parse(args).Invoke();
