using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vae.Inference;
using Vae.Server;
using Vae.Server.Bench;

namespace Vae.Serve.Commands;

/// <summary><c>vae-serve bench</c>: one execution provider on one model folder, as text or one JSON object.</summary>
internal static class BenchCommand
{
    /// <summary>Provider names the command accepts, each with the provider it means.</summary>
    public static readonly IReadOnlyDictionary<string, ExecutionProvider> Providers = new Dictionary<string, ExecutionProvider>
    {
        ["cpu"] = ExecutionProvider.Cpu, ["cuda"] = ExecutionProvider.Cuda, ["tensorrt"] = ExecutionProvider.TensorRT,
        ["directml"] = ExecutionProvider.DirectML, ["auto"] = ExecutionProvider.Auto,
    };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Exported model folder (encoder.onnx, decoder.onnx)", DefaultValueFactory = _ => "models/mnist" };
        var provider = new Option<string>("--provider") { Description = "cpu, cuda, tensorrt, directml or auto (the first GPU provider that starts, else cpu)", DefaultValueFactory = _ => "auto" };
        provider.AcceptOnlyFromAmong([.. Providers.Keys]);
        var device = new Option<int>("--device") { Description = "GPU device id", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data") { Description = "Test rows: an idx image file (plain or .gz) or an MNIST folder; default data/mnist when it exists, else rows decoded from prior samples" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: its choice)", DefaultValueFactory = _ => 0 };
        var iterations = new Option<int>("--iterations") { Description = "Most timed calls per latency figure", DefaultValueFactory = _ => 2000 };
        var seconds = new Option<double>("--seconds") { Description = "Time budget per latency figure, in seconds", DefaultValueFactory = _ => 3 };
        var largeBatch = new Option<int>("--large-batch") { Description = "Rows per call of the throughput figure", DefaultValueFactory = _ => 65_536 };
        var anomalyImages = new Option<int>("--anomaly-images") { Description = "Images of the anomaly-scoring figure", DefaultValueFactory = _ => 1000 };
        var anomalySamples = new Option<int>("--anomaly-samples") { Description = "Latent samples per image of the anomaly-scoring figure", DefaultValueFactory = _ => 100 };
        var parityRows = new Option<int>("--parity-rows") { Description = "Rows compared with the CPU provider", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var output = new Option<string?>("--out") { Description = "Also write the JSON object to this file" };
        var command = new Command("bench", "Measure an execution provider on a model folder: provider in use and why, ONNX Runtime version, parity with the CPU provider, " +
                                           "encode/decode latency at batch 1 and 256, large-batch throughput, anomaly scoring.")
        {
            model, provider, device, data, threads, iterations, seconds, largeBatch, anomalyImages, anomalySamples, parityRows, json, output,
        };
        command.SetAction(parse => ErrorLine.Run(() =>
        {
            string? rows = parse.GetValue(data);
            if (rows is null && Directory.Exists("data/mnist") && BenchRows.MnistTestImages.Any(n => File.Exists(Path.Combine("data/mnist", n)))) rows = "data/mnist";
            var settings = new BenchSettings
            {
                Model = parse.GetValue(model)!,
                Provider = Providers[parse.GetValue(provider)!],
                DeviceId = parse.GetValue(device),
                Data = rows,
                Threads = parse.GetValue(threads),
                Iterations = parse.GetValue(iterations),
                SecondsPerFigure = parse.GetValue(seconds),
                LargeBatch = parse.GetValue(largeBatch),
                AnomalyImages = parse.GetValue(anomalyImages),
                AnomalySamples = parse.GetValue(anomalySamples),
                ParityRows = parse.GetValue(parityRows),
            };
            bool asJson = parse.GetValue(json);
            BenchReport report = ProviderBench.Run(settings, asJson ? TextWriter.Null : Console.Error);
            string text = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
            if (parse.GetValue(output) is { } path) WriteAtomically(path, text + "\n");
            Console.WriteLine(asJson ? text : Describe(report));
            return 0;
        }));
        return command;
    }

    /// <summary>The report as a few readable lines.</summary>
    public static string Describe(BenchReport r) => string.Create(CultureInfo.InvariantCulture, $"""
        model: {r.Model}
        provider: {r.Provider} (asked: {r.ProviderRequested}; {r.ProviderReport})
        ONNX Runtime {r.OrtVersion} (providers in the build: {string.Join(", ", r.OrtProviders)})
        machine: {r.Machine.Cpu}, {r.Machine.LogicalCores} logical cores{(r.Machine.Gpus.Count > 0 ? "; GPU " + string.Join("; ", r.Machine.Gpus) : "")}
        rows: {r.Rows}
        parity vs CPU ({r.ParityRows} rows), max |diff|: mean {r.ParityMean:G3}, logvar {r.ParityLogvar:G3}, decoder {r.ParityDecoder:G3}
        encode µs p50/p99: batch 1 {r.EncodeB1P50:F1}/{r.EncodeB1P99:F1}, batch 256 {r.EncodeB256P50:F1}/{r.EncodeB256P99:F1}
        decode µs p50/p99: batch 1 {r.DecodeB1P50:F1}/{r.DecodeB1P99:F1}, batch 256 {r.DecodeB256P50:F1}/{r.DecodeB256P99:F1}
        rows/s at batch {r.LargeBatch:N0}: encode {r.EncodeRowsPerSecondLargeBatch:N0}, decode {r.DecodeRowsPerSecondLargeBatch:N0}
        anomaly scoring, {r.AnomalyImages} images × {r.AnomalySamples} samples: {r.AnomalySeconds:F3} s ({r.AnomalyImagesPerSecond:N0} images/s)
        """);

    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/>, then renames it into place.</summary>
    private static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
