using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Vae.Cli.Commands;

/// <summary>Runs a command body, turning expected failures into one clear line on stderr and exit code 1; library members
/// the message names are shown as the flags that set them (<see cref="FlagNames"/>).</summary>
internal static class CommandRunner
{
    /// <summary>Set to 1, an unexpected exception (a bug) is not caught: .NET prints it with its stack trace.</summary>
    public const string DebugVariable = "VAE_DEBUG";

    /// <returns><see cref="Cli.Success"/>, or <see cref="Cli.RuntimeError"/> after one <c>error:</c> line on standard error.</returns>
    public static int Run(Action body)
    {
        try
        {
            body();
            return Cli.Success;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or Vae.Inference.VaeModelException or Vae.Inference.VaeInferenceException
                                      or Vae.Inference.ExecutionProviderException or Vae.Training.Data.DataFormatException
                                      or Vae.Training.Onnx.UnsupportedModuleException or Vae.Training.Onnx.OnnxVerificationException
                                      or Vae.Training.Training.TrainingDivergedException)
        {
            Console.Error.WriteLine($"error: {FlagNames.InCliTerms(Vae.Training.ExceptionText.Of(e))}");
            return Cli.RuntimeError;
        }
        catch (Exception e) when (e is OutOfMemoryException || (e is ExternalException && AllocatorFailure(e.Message) is not null))
        {
            // Not a bug to report with libtorch's frames, but a model, batch or data set too big for this machine.
            string what = e is OutOfMemoryException ? ".NET could not allocate memory" : $"libtorch could not allocate {AllocatorFailure(e.Message)} bytes";
            Console.Error.WriteLine($"error: out of memory: {what}; the model (its weights, gradients and optimiser moments), a batch's activations or the data " +
                                    "do not fit this machine's memory. Use a smaller model (--hidden, --channels), a smaller --batch-size, or less data (--limit, --resize).");
            return Cli.RuntimeError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) != "1")
        {
            // A failure no check foresaw is a bug; the user still gets one line, and the way to the stack trace.
            Console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} " +
                                    $"(a bug in vae; please report it with the command line; {DebugVariable}=1 prints where it happened).");
            return Cli.RuntimeError;
        }
    }

    /// <summary>The byte count of libtorch's CPU allocator failure ("DefaultCPUAllocator: can't allocate memory: you tried to
    /// allocate N bytes"), formatted, or null for any other native error.</summary>
    private static string? AllocatorFailure(string message) =>
        Regex.Match(message, @"DefaultCPUAllocator: can't allocate memory: you tried to allocate (\d+) bytes") is { Success: true } m
            ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)
            : null;
}
