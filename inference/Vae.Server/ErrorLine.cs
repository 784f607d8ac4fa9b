using Vae.Inference;

namespace Vae.Server;

/// <summary>Runs a command body, turning expected failures into one <c>error:</c> line on stderr and exit code 1.</summary>
internal static class ErrorLine
{
    /// <summary>Runs <paramref name="body"/>; 0 when it returns, 1 after printing the error of an expected failure.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsExpected(e))
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 1;
        }
    }

    /// <summary>Failures that describe the input, the model or the machine (not a bug): reported as one line.</summary>
    public static bool IsExpected(Exception e) => e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
        or VaeModelException or VaeInferenceException or ExecutionProviderException or OutOfMemoryException;

    /// <summary>The message with its whitespace runs folded into single spaces.</summary>
    public static string OneLine(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"\s+", " ").Trim();
}
