using System.CommandLine;
using Vae.Cli.Commands;

namespace Vae.Cli;

/// <summary>The <c>vae</c> command tree; Program.cs runs it, tests invoke it in-process.</summary>
internal static class Cli
{
    /// <summary>A new root command with every subcommand.</summary>
    public static RootCommand CreateRootCommand() => new("vae: train variational autoencoders with TorchSharp, export them to ONNX, and use them.")
    {
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        ExportCommand.Create(),
        GenerateCommand.Create(),
        ReconstructCommand.Create(),
        LatentMapCommand.Create(),
        ManifoldCommand.Create(),
        TraverseCommand.Create(),
        CurvesCommand.Create(),
        InterpolateCommand.Create(),
        AnomaliesCommand.Create(),
        ClusterCommand.Create(),
        ClassifyCommand.Create(),
        EncodeCommand.Create(),
        DecodeCommand.Create(),
        ScoreCommand.Create(),
        InfoCommand.Create(),
        TritonCommand.Create(),
        CompareCommand.Create(),
        ImputeCommand.Create(),
    };
}
