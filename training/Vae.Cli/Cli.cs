using System.CommandLine;
using Vae.Cli.Commands;

namespace Vae.Cli;

/// <summary>The <c>vae</c> command tree; Program.cs runs it, tests invoke it in-process.</summary>
internal static class Cli
{
    /// <summary>Exit code of a command that ran and succeeded.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a command that started and failed: bad option values, missing or damaged files, data that
    /// does not fit the model, out of memory (one <c>error:</c> line on standard error).</summary>
    public const int RuntimeError = 1;

    /// <summary>Exit code of a command line that could not be parsed (unknown command or option, a value of the wrong
    /// type, a missing argument): nothing ran.</summary>
    public const int UsageError = 2;

    /// <summary>Parses and runs <paramref name="args"/>; returns <see cref="Success"/>, <see cref="RuntimeError"/> or <see cref="UsageError"/>.</summary>
    public static int Run(string[] args)
    {
        Vae.Inference.OnnxRuntimeTelemetry.TurnOff();
        ParseResult parse = CreateRootCommand().Parse(args);
        int exit = parse.Invoke();
        // System.CommandLine reports parse errors (and the help) itself, with exit code 1: usage errors are told apart
        return parse.Errors.Count > 0 ? UsageError : exit;
    }

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
    };
}
