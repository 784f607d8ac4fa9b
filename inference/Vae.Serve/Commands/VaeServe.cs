using System.CommandLine;

namespace Vae.Serve.Commands;

/// <summary>
/// The <c>vae-serve</c> program: <c>vae-serve bench</c> measures an execution provider on a model folder; every other
/// command line starts the HTTP model server. The entry point of both applications (the GPU build compiles this folder
/// too): the flags live here, the server and the benchmark in the Vae.Server library, in its API terms.
/// Exit codes: 0 success, 1 runtime error (one <c>error:</c> line on stderr), 2 usage error.
/// </summary>
internal static class VaeServe
{
    /// <summary>Runs the program with <paramref name="args"/>; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        QuietOrt();
        if (args.Length > 0 && args[0] == "bench")
            return Invoke(new RootCommand("vae-serve bench") { BenchCommand.Create() }, args);
        var root = new RootCommand("vae-serve: serve VAE encoder/decoder pairs over HTTP (Open Inference Protocol v2, VAE operations, " +
                                   "Prometheus /metrics, OpenAPI at /openapi/v1.json), or benchmark an execution provider (vae-serve bench). " +
                                   "Settings come from appsettings.json beside the program, then environment variables (Serve__Models, " +
                                   "ASPNETCORE_URLS, ...), then these options.")
        {
            BenchCommand.Create(),
        };
        ServeCommand.AddTo(root);
        return Invoke(root, args);
    }

    /// <summary>
    /// ONNX Runtime's own logger prints provider failures to stderr in colour before the library turns them into an
    /// exception with the whole story; the program reports that exception in one line, so ONNX Runtime logs only fatal
    /// errors here. Its telemetry is off.
    /// </summary>
    private static void QuietOrt()
    {
        var env = Microsoft.ML.OnnxRuntime.OrtEnv.Instance();
        env.EnvLogLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        env.DisableTelemetryEvents();
    }

    /// <summary>Parses and runs <paramref name="args"/>; a parse error is a usage error (exit code 2).</summary>
    internal static int Invoke(RootCommand root, string[] args)
    {
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'vae-serve --help' (or 'vae-serve bench --help') for the options.");
            return 2;
        }
        return parse.Invoke();
    }
}
