using SkiaSharp;

[assembly: CollectionBehavior(DisableTestParallelization = true)]   // commands write to the process-wide Console

namespace Vae.Cli.Tests;

/// <summary>Runs the <c>vae</c> command tree in-process and captures what it prints.</summary>
internal static class CliRun
{
    private static readonly Lock ConsoleLock = new();

    /// <summary>Runs <c>vae args…</c>; returns the exit code, standard output and standard error.</summary>
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            TextWriter oldOut = Console.Out, oldError = Console.Error;
            var output = new StringWriter();
            var error = new StringWriter();
            Console.SetOut(output);
            Console.SetError(error);
            try
            {
                int exit = Cli.Run(args);
                return (exit, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }

    /// <summary>Runs commands that set up a test (train, export, ...) one after another; throws when one fails.</summary>
    /// <returns>The standard output of the last command.</returns>
    public static string Setup(params string[][] commands)
    {
        string output = "";
        foreach (string[] args in commands)
        {
            (int exit, output, string error) = Run(args);
            if (exit != 0) throw new InvalidOperationException($"vae {string.Join(' ', args)} exited with {exit}: {error}");
        }
        return output;
    }

    /// <summary>Runs a command that must succeed and write a PNG; returns its decoded size.</summary>
    public static (int Width, int Height) Png(string path, params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.True(exit == 0, $"vae {string.Join(' ', args)} exited with {exit}: {error}");
        Assert.Contains(path, output);
        return DecodedSize(path);
    }

    /// <summary>Runs a command that must fail with exit code 1 and one 'error: …' line; returns that line.</summary>
    public static string Failure(params string[] args)
    {
        var (exit, _, error) = Run(args);
        Assert.True(exit == 1, $"vae {string.Join(' ', args)} exited with {exit}, expected 1; stderr: {error}");
        Assert.StartsWith("error: ", error);
        return error.Trim();
    }

    /// <summary>Decodes the PNG at <paramref name="path"/> with SkiaSharp and returns its size.</summary>
    public static (int Width, int Height) DecodedSize(string path)
    {
        using var codec = SKCodec.Create(path);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Png, codec.EncodedFormat);
        using SKBitmap bitmap = SKBitmap.Decode(codec);
        Assert.NotNull(bitmap);
        return (bitmap.Width, bitmap.Height);
    }
}
