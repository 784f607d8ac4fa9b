using System.Globalization;

namespace Vae.ServeLoad;

/// <summary>What one benchmark run measures; every duration is bounded.</summary>
internal sealed record LoadSettings
{
    /// <summary>The built server (vae-serve.dll of inference/Vae.Serve).</summary>
    public string Server { get; init; } = "inference/Vae.Serve/bin/Release/net10.0/vae-serve.dll";

    /// <summary>The exported model folder whose encoder is loaded; the server gets its parent folder.</summary>
    public string Model { get; init; } = "models/mnist";

    /// <summary>MNIST test images: the request rows.</summary>
    public string Images { get; init; } = "data/mnist/t10k-images-idx3-ubyte";

    public int[] Concurrency { get; init; } = [1, 16, 64];

    /// <summary>Seconds of measured load per run (after one second of warm-up).</summary>
    public double Seconds { get; init; } = 10;

    /// <summary>Seconds of one extra run at the highest concurrency with batching, sampling the server's memory every second; 0 for none.</summary>
    public double SoakSeconds { get; init; }

    public string Out { get; init; } = "out/bench/serve.json";

    /// <summary>Parses --name value pairs; throws <see cref="ArgumentException"/> naming a bad one.</summary>
    public static LoadSettings Parse(string[] args)
    {
        var settings = new LoadSettings();
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i], value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value.");
            settings = name switch
            {
                "--server" => settings with { Server = value },
                "--model" => settings with { Model = value },
                "--images" => settings with { Images = value },
                "--concurrency" => settings with { Concurrency = value.Split(',').Select(c => Positive(name, c)).ToArray() },
                "--seconds" => settings with { Seconds = SecondsOf(name, value) },
                "--soak-seconds" => settings with { SoakSeconds = SecondsOf(name, value) },
                "--out" => settings with { Out = value },
                _ => throw new ArgumentException($"unknown option {name}; expected --server, --model, --images, --concurrency, --seconds, --soak-seconds or --out."),
            };
        }
        return settings;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{name}: '{text}' is not a positive whole number.");

    private static double SecondsOf(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0 && s <= 3600 ? s : throw new ArgumentException($"{name} is '{text}'; expected 0 to 3600 seconds.");
}
