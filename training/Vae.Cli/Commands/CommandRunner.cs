namespace Vae.Cli.Commands;

/// <summary>Runs a command body, turning expected failures into one clear line on stderr and exit code 1.</summary>
internal static class CommandRunner
{
    public static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or Vae.Inference.VaeModelException or Vae.Inference.VaeInferenceException
                                      or Vae.Inference.ExecutionProviderException or Vae.Training.Data.DataFormatException
                                      or Vae.Training.Onnx.UnsupportedModuleException or Vae.Training.Onnx.OnnxVerificationException
                                      or Vae.Training.Training.TrainingDivergedException)
        {
            Console.Error.WriteLine($"error: {MessageOf(e)}");
            return 1;
        }
    }

    // Our argument errors already name the option; .NET's " (Parameter '--x')" suffix would say it twice.
    private static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
