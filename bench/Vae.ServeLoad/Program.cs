using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Inference;
using Vae.ServeLoad;

// `make bench` (or dotnet run -c Release --project bench/Vae.ServeLoad -- [--seconds 10] [--concurrency 1,16,64]
// [--soak-seconds 60] [--model models/mnist] [--out out/bench/serve.json]): encode requests of batch 1 (one MNIST test
// image, JSON tensors) against the built vae-serve at each concurrency, with dynamic batching and without, plus the same
// encode as an in-process library call; writes out/bench/serve.json. Client and server share this machine's cores.
try
{
    LoadSettings settings = LoadSettings.Parse(args);
    string model = Path.GetFullPath(settings.Model);
    string name = Path.GetFileName(model);
    float[] row = MnistRow(settings.Images);
    byte[] body = JsonSerializer.SerializeToUtf8Bytes(new { inputs = new[] { new { name = "x", shape = new[] { 1, row.Length }, datatype = "FP32", data = row } } });
    string path = $"/v2/models/{name}_encoder/infer";

    double library = LibraryEncodeP50(model, row);
    Console.WriteLine($"in-process VaeModel.Encode, batch 1: p50 {library:0.0} µs");
    var runs = new List<LoadResult>();
    var soak = new JsonArray();
    foreach (bool batching in new[] { false, true })
    {
        var environment = new Dictionary<string, string> { ["Serve__Batching__Enabled"] = batching ? "true" : "false" };
        using ServerProcess server = await ServerProcess.StartAsync(Path.GetFullPath(settings.Server), Path.GetDirectoryName(model)!, environment);
        foreach (int concurrency in settings.Concurrency)
        {
            ServerStats before = await ServerStats.ReadAsync(server.Address, $"{name}_encoder");
            LoadResult result = await LoadRun.RunAsync(server.Address, path, body, batching, concurrency, settings.Seconds);
            var (rowsPerRun, usPerRow) = (await ServerStats.ReadAsync(server.Address, $"{name}_encoder")).Since(before); // includes the warm-up second
            result = result with { RowsPerRun = rowsPerRun, RunUsPerRow = usPerRow };
            runs.Add(result);
            Console.WriteLine($"batching {(batching ? "on " : "off")}  c={concurrency,-3} {result.RequestsPerSecond,8:0.0} req/s  p50 {result.LatencyUsP50,8:0} µs  p99 {result.LatencyUsP99,8:0} µs  " +
                              $"errors {result.Errors}  rows/run {rowsPerRun}  ONNX Runtime {usPerRow} µs/row");
        }
        if (batching && settings.SoakSeconds > 0)
        {
            int concurrency = settings.Concurrency.Max();
            var clock = Stopwatch.StartNew();
            LoadResult result = await LoadRun.RunAsync(server.Address, path, body, true, concurrency, settings.SoakSeconds,
                () => { lock (soak) soak.Add(new JsonObject { ["t_s"] = Math.Round(clock.Elapsed.TotalSeconds, 1), ["rss_mb"] = Math.Round(server.ResidentBytes() / 1048576.0, 1) }); });
            Console.WriteLine($"soak c={concurrency} for {result.Seconds:0} s: {result.Requests} requests, {result.Errors} errors, {result.RequestsPerSecond:0.0} req/s; RSS (MB) {string.Join(" ", soak.Select(s => s!["rss_mb"]))}");
            soak.Insert(0, new JsonObject { ["concurrency"] = concurrency, ["seconds"] = result.Seconds, ["requests"] = result.Requests, ["errors"] = result.Errors, ["requests_per_s"] = result.RequestsPerSecond });
        }
    }

    LoadResult Find(bool batching, int concurrency) => runs.Single(r => r.Batching == batching && r.Concurrency == concurrency);
    int top = settings.Concurrency.Max(), low = settings.Concurrency.Min();
    var report = new JsonObject
    {
        ["model"] = $"{name}_encoder",
        ["request"] = "OIP v2 infer, JSON tensors, batch 1 (one MNIST test image)",
        ["seconds_per_run"] = settings.Seconds,
        ["machine"] = $"{Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; load generator and server on the same machine",
        ["ort_version"] = OrtBuild.Version,
        ["runs"] = new JsonArray(runs.Select(r => (JsonNode)new JsonObject
        {
            ["batching"] = r.Batching, ["concurrency"] = r.Concurrency, ["seconds"] = r.Seconds, ["requests"] = r.Requests, ["errors"] = r.Errors,
            ["requests_per_s"] = r.RequestsPerSecond, ["latency_us_p50"] = r.LatencyUsP50, ["latency_us_p99"] = r.LatencyUsP99,
            ["server_rows_per_run"] = r.RowsPerRun, ["server_onnx_runtime_us_per_row"] = r.RunUsPerRow,
        }).ToArray()),
        [$"batching_speedup_c{top}"] = Math.Round(Find(true, top).RequestsPerSecond / Find(false, top).RequestsPerSecond, 2),
        ["library_encode_b1_us_p50"] = Math.Round(library, 1),
        [$"http_c{low}_us_p50"] = Find(false, low).LatencyUsP50,
        ["http_overhead_us_p50"] = Math.Round(Find(false, low).LatencyUsP50 - library, 1),
        ["errors"] = runs.Sum(r => r.Errors),
    };
    if (soak.Count > 0) report["soak"] = soak;
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Out))!);
    string temporary = settings.Out + ".tmp";
    File.WriteAllText(temporary, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    File.Move(temporary, settings.Out, overwrite: true);
    Console.WriteLine($"wrote {settings.Out}: batching speed-up at c={top} {report[$"batching_speedup_c{top}"]}×, HTTP overhead at c={low} (p50) {report["http_overhead_us_p50"]} µs");
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or VaeModelException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

// The first MNIST test image as the encoder takes it (pixels / 255).
static float[] MnistRow(string images)
{
    if (!File.Exists(images)) throw new FileNotFoundException($"{images}: not found; run make data.", images);
    using var file = File.OpenRead(images);
    var header = new byte[16];
    file.ReadExactly(header);
    var pixels = new byte[784];
    file.ReadExactly(pixels);
    return pixels.Select(p => p / 255f).ToArray();
}

// p50 of VaeModel.Encode on one row, as the server's graphs are loaded (ONNX Runtime's thread choice, no spinning).
static double LibraryEncodeP50(string model, float[] row)
{
    using VaeModel vae = VaeModel.Load(model, new VaeSessionOptions { AllowSpinning = false });
    var mean = new float[vae.LatentSize];
    var logvar = new float[vae.LatentSize];
    for (int i = 0; i < 500; i++) vae.Encode(row, mean, logvar);
    var times = new double[5000];
    for (int i = 0; i < times.Length; i++)
    {
        long start = Stopwatch.GetTimestamp();
        vae.Encode(row, mean, logvar);
        times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    Array.Sort(times);
    return LoadRun.Percentile(times, 0.5);
}
