using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae triton</c>: the repository it writes, its options, and its one-line errors.</summary>
public class TritonCommandTests
{
    [Fact]
    public void Writes_both_models_with_their_configs_from_the_options()
    {
        string repository = RepoPaths.NewTempFolder();
        var (exit, output, error) = CliRun.Run("triton", "--model", TestModel.Folder, "--out", repository, "--name", "digits",
            "--max-batch-size", "32", "--max-queue-delay-us", "250", "--instance-kind", "cpu", "--instance-count", "2");
        Assert.True(exit == 0, error);
        Assert.Contains($"wrote {Path.Combine(repository, "digits_encoder")}/", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestModel.Folder, "decoder.onnx")), File.ReadAllBytes(Path.Combine(repository, "digits_decoder", "1", "model.onnx")));
        string config = File.ReadAllText(Path.Combine(repository, "digits_decoder", "config.pbtxt"));
        Assert.StartsWith("name: \"digits_decoder\"\nmax_batch_size: 32\ninput {\n  name: \"z\"\n  data_type: TYPE_FP32\n  dims: [ 8 ]\n}\n", config);
        Assert.Contains("instance_group {\n  count: 2\n  kind: KIND_CPU\n}\ndynamic_batching {\n  max_queue_delay_microseconds: 250\n}\nbackend: \"onnxruntime\"\n", config);
    }

    [Fact]
    public void An_existing_model_is_kept_unless_forced_and_bad_input_is_one_error_line()
    {
        string repository = RepoPaths.NewTempFolder();
        Assert.Equal(0, CliRun.Run("triton", "--model", TestModel.Folder, "--out", repository, "--no-dynamic-batching").Exit);
        Assert.DoesNotContain("dynamic_batching", File.ReadAllText(Path.Combine(repository, "reference_encoder", "config.pbtxt")));
        var (exit, _, error) = CliRun.Run("triton", "--model", TestModel.Folder, "--out", repository);
        Assert.Equal(1, exit);
        Assert.Equal($"error: {Path.Combine(repository, "reference_encoder")} exists; pass --force (TritonOptions.Overwrite) to replace it.", error.Trim());
        Assert.Equal(0, CliRun.Run("triton", "--model", TestModel.Folder, "--out", repository, "--force").Exit);
        Assert.Contains("dynamic_batching", File.ReadAllText(Path.Combine(repository, "reference_encoder", "config.pbtxt")));
        Assert.Equal(["reference_decoder", "reference_encoder"], Directory.GetFileSystemEntries(repository).Select(Path.GetFileName).Order());

        (exit, _, error) = CliRun.Run("triton", "--model", Path.Combine(repository, "nothing"), "--out", repository);
        Assert.Equal(1, exit);
        Assert.Contains("encoder.onnx: file not found", error);
        (exit, _, error) = CliRun.Run("triton", "--model", TestModel.Folder, "--out", repository, "--max-batch-size", "0", "--force");
        Assert.Equal(1, exit);
        Assert.Contains("MaxBatchSize is 0; expected 1 or more.", error);
        (exit, _, error) = CliRun.Run("triton", "--model", TestModel.Folder, "--out", repository, "--instance-kind", "tpu");
        Assert.NotEqual(0, exit);
        Assert.Contains("'tpu'", error);
    }
}
