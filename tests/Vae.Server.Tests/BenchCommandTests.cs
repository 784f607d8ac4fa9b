using System.Text.Json;
using Vae.Inference;
using Vae.Server.Bench;

namespace Vae.Server.Tests;

/// <summary><c>vae-serve bench</c>: the JSON keys the docs promise, parity with the CPU provider, usage and runtime errors.</summary>
public class BenchCommandTests
{
    private static readonly string Reference = Path.Combine(RepoPaths.Root, "models", "reference");
    private static readonly string[] Small = ["--iterations", "20", "--seconds", "0.2", "--large-batch", "512", "--anomaly-images", "20", "--anomaly-samples", "4", "--parity-rows", "50"];

    [Fact]
    public void Cpu_json_has_every_figure_and_zero_parity_difference()
    {
        var (exit, stdout, stderr) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(2), ["bench", "--model", "models/reference", "--provider", "cpu", "--json", .. Small]);
        Assert.True(exit == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement r = json.RootElement;
        Assert.Equal("cpu", r.GetProperty("provider").GetString());
        Assert.Equal(OrtBuild.Version, r.GetProperty("ort_version").GetString());
        Assert.Equal(0, r.GetProperty("parity_max_abs_diff_vs_cpu").GetDouble());
        foreach (string key in new[] { "encode_b1_us_p50", "encode_b1_us_p99", "decode_b1_us_p50", "encode_b256_us_p50", "encode_rows_per_s_large_batch", "score_anomalies_images_per_s" })
            Assert.True(r.GetProperty(key).GetDouble() > 0, key);
        Assert.True(r.GetProperty("encode_b1_us_p99").GetDouble() >= r.GetProperty("encode_b1_us_p50").GetDouble());
        Assert.Contains("t10k-images-idx3-ubyte", r.GetProperty("rows").GetString());  // data/mnist, fetched by make test
    }

    [Fact]
    public void Auto_on_the_cpu_build_runs_on_the_cpu_and_says_why()
    {
        BenchReport report = ProviderBench.Run(new BenchSettings
        {
            Model = Reference, Provider = ExecutionProvider.Auto, Iterations = 10, SecondsPerFigure = 0.1, LargeBatch = 256,
            AnomalyImages = 10, AnomalySamples = 2, ParityRows = 10,
        }, TextWriter.Null);
        Assert.Equal("cpu", report.Provider);
        Assert.Equal("auto", report.ProviderRequested);
        Assert.Contains("Cuda: not in this ONNX Runtime build", report.ProviderReport);
        Assert.Contains("rows decoded from prior samples", report.Rows);
    }

    [Fact]
    public void A_provider_missing_from_the_build_is_one_error_line_and_exit_code_1()
    {
        var (exit, stdout, stderr) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(1), "bench", "--model", "models/reference", "--provider", "cuda");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: execution provider Cuda (CUDAExecutionProvider) is not in the loaded ONNX Runtime", line);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux " + OrtBuild.Version, line);
    }

    [Theory]
    [InlineData("--provider", "gpu")]
    [InlineData("--iterations", "many")]
    [InlineData("--no-such-option", "1")]
    public void Bad_flags_are_usage_errors_with_exit_code_2(string flag, string value)
    {
        var (exit, _, stderr) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(1), "bench", flag, value);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", stderr);
    }

    [Fact]
    public void A_missing_model_folder_is_one_error_line()
    {
        var (exit, _, stderr) = ServeApps.Run("Vae.Serve", TimeSpan.FromMinutes(1), "bench", "--model", "models/no-such-model", "--provider", "cpu");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no-such-model", stderr);
    }

    [Fact]
    public void Settings_are_checked_up_front_with_the_value_and_the_expectation()
    {
        var e = Assert.Throws<ArgumentException>(() => new BenchSettings { Model = Reference, LargeBatch = 0 }.Validate());
        Assert.Equal("LargeBatch is 0; expected 1 or more. (Parameter 'LargeBatch')", e.Message);
        e = Assert.Throws<ArgumentException>(() => new BenchSettings { Model = Reference, SecondsPerFigure = double.NaN }.Validate());
        Assert.Contains("SecondsPerFigure is NaN", e.Message);
    }

    [Fact]
    public void Idx_rows_are_read_normalised_and_a_wrong_size_is_named()
    {
        using VaeModel model = VaeModel.Load(Reference);
        BenchRows rows = BenchRows.Load(RepoPaths.RequireMnist(), model, 3);
        Assert.Equal(3 * 784, rows.X.Length);
        Assert.InRange(rows.X.Max(), 0.99f, 1f);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "small-idx3-ubyte");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]);
        var e = Assert.Throws<InvalidDataException>(() => BenchRows.Load(path, model, 3));
        Assert.Contains("images of 4 values; the model's input has 784", e.Message);
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        e = Assert.Throws<InvalidDataException>(() => BenchRows.Load(path, model, 3));
        Assert.Contains("its header promises at least", e.Message);
    }
}
