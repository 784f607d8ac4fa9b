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
                                      or Vae.Inference.VaeModelException or Vae.Training.Data.DataFormatException
                                      or Vae.Training.Onnx.UnsupportedModuleException or Vae.Training.Onnx.OnnxVerificationException
                                      or Vae.Training.Training.TrainingDivergedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
