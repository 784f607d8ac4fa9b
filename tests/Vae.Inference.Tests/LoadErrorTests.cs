using System.Text;
using Vae.Tests;

namespace Vae.Inference.Tests;

public class LoadErrorTests
{
    [Fact]
    public void Missing_folder_is_a_model_error_naming_the_file()
    {
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "nothing-here");
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("encoder.onnx", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Corrupt_onnx_file_is_a_model_error_not_a_crash()
    {
        string folder = RepoPaths.NewTempFolder();
        File.WriteAllBytes(Path.Combine(folder, "encoder.onnx"), [0x08, 0x07, 0x12, 0xFF, 0x01, 0x02]);
        File.WriteAllBytes(Path.Combine(folder, "decoder.onnx"), [0x08, 0x07]);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("encoder.onnx", e.Message);
        Assert.Contains("not a loadable ONNX model", e.Message);
    }

    [Fact]
    public void Truncated_onnx_file_is_a_model_error()
    {
        string folder = CopyOfReference();
        string decoder = Path.Combine(folder, VaeModel.DecoderFile);
        byte[] bytes = File.ReadAllBytes(decoder);
        File.WriteAllBytes(decoder, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("decoder.onnx", e.Message);
    }

    [Fact]
    public void Swapped_files_are_refused()
    {
        string folder = ReferenceModel.Folder;
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(Path.Combine(folder, VaeModel.DecoderFile), Path.Combine(folder, VaeModel.EncoderFile)));
        Assert.Contains("swapped", e.Message);
    }

    [Fact]
    public void A_decoder_with_another_latent_size_is_not_a_pair_and_the_error_says_what_differs()
    {
        string folder = CopyOfReference();
        PatchMetadata(Path.Combine(folder, VaeModel.DecoderFile), "vae.latent_size", "8", "9");
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("not a pair", e.Message);
        Assert.Contains("latent size 8 vs 9", e.Message);
    }

    [Fact]
    public void Another_format_version_is_refused()
    {
        string folder = CopyOfReference();
        PatchMetadata(Path.Combine(folder, VaeModel.EncoderFile), "vae.format_version", "1", "2");
        PatchMetadata(Path.Combine(folder, VaeModel.DecoderFile), "vae.format_version", "1", "2");
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("format version 2", e.Message);
    }

    [Fact]
    public void Metadata_that_contradicts_the_graph_is_refused()
    {
        string folder = CopyOfReference();
        PatchMetadata(Path.Combine(folder, VaeModel.EncoderFile), "vae.latent_size", "8", "9");
        PatchMetadata(Path.Combine(folder, VaeModel.DecoderFile), "vae.latent_size", "8", "9");
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("output 'mean' has shape [batch,8], expected [batch,9]", e.Message);
    }

    [Fact]
    public void A_shape_dimension_beyond_int32_in_the_metadata_is_a_model_error()
    {
        // int.Parse's OverflowException escaped Load (only FormatException was turned into a VaeModelException)
        var e = Assert.Throws<VaeModelException>(() => VaeModelInfo.FromMetadata(MlpMetadata(inputShape: "99999999999"), "encoder.onnx"));
        Assert.Contains("encoder.onnx: metadata 'vae.input_shape' is '99999999999', expected a shape", e.Message);
        var metadata = MlpMetadata(inputShape: "784");
        metadata["vae.image_shape"] = "1,28,4294967324";
        e = Assert.Throws<VaeModelException>(() => VaeModelInfo.FromMetadata(metadata, "encoder.onnx"));
        Assert.Contains("'vae.image_shape' is '1,28,4294967324'", e.Message);
        Assert.Throws<ArgumentNullException>(() => VaeModelInfo.FromMetadata(null!, "encoder.onnx"));
    }

    [Fact]
    public void An_onnx_ir_version_newer_than_onnx_runtime_loads_names_the_graph_and_both_versions()
    {
        // It was "not a loadable ONNX model ([ErrorCode:Fail] Load model from … failed:/onnxruntime_src/…/model.cc:256
        // onnxruntime::Model::Model(…) Unsupported model IR version: 14, max supported IR version: 13)".
        string folder = CopyOfReference();
        string decoder = Path.Combine(folder, VaeModel.DecoderFile);
        byte[] bytes = File.ReadAllBytes(decoder);
        Assert.Equal([0x08, 0x08], bytes[..2]); // ModelProto field 1, ir_version = 8, first in the file
        bytes[1] = 30;
        File.WriteAllBytes(decoder, bytes);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Equal($"{decoder}: ONNX IR version 30 is newer than this ONNX Runtime loads (at most 14); re-export it with IR version 14 or lower (ExportOptions.IrVersion; the default is 8).", e.Message);
        byte[] encoder = File.ReadAllBytes(Path.Combine(folder, VaeModel.EncoderFile));
        encoder[1] = 40;
        e = Assert.Throws<VaeModelException>(() => VaeModel.Load(encoder, bytes));
        Assert.StartsWith($"encoder ({encoder.Length:N0} bytes in memory): ONNX IR version 40 is newer than this ONNX Runtime loads (at most 14)", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("4,,1")]
    [InlineData("4,")]
    [InlineData("0,4")]
    [InlineData("-4")]
    public void An_empty_or_malformed_input_shape_is_refused_at_load_naming_the_key_and_the_text(string shape)
    {
        // '' and '  ' were read as the shape [] (one value per sample) and '4,,1' as [4, 1]; the graph check then said
        // "input 'x' has shape [batch,4], expected [batch]", naming neither the metadata key nor its text.
        float[] none = new float[2 * 4], pixelLogvar = new float[4];
        string folder = TinyOnnx.WriteGaussianPair(4, 2, none, none, new float[2 * 4], new float[2 * 4], pixelLogvar,
            new Dictionary<string, string> { ["vae.input_shape"] = shape });
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains($"{VaeModel.EncoderFile}: metadata 'vae.input_shape' is '{shape}', expected a shape such as 1,28,28 (one or more positive dimensions", e.Message);
    }

    [Fact]
    public void An_input_shape_with_more_values_than_an_array_holds_is_a_model_error()
    {
        // 65536 × 65536 wrapped to 0 values per sample in the int product behind InputSize
        var e = Assert.Throws<VaeModelException>(() => VaeModelInfo.FromMetadata(MlpMetadata(inputShape: "65536,65536"), "encoder.onnx"));
        Assert.Equal($"encoder.onnx: metadata 'vae.input_shape' is '65536,65536', more values per sample than the largest .NET array holds ({Array.MaxLength}).", e.Message);
        Assert.Equal(784, VaeModelInfo.FromMetadata(MlpMetadata(inputShape: "784"), "encoder.onnx").InputSize);
    }

    [Fact]
    public void An_undefined_optimisation_level_is_an_argument_error_naming_the_option()
    {
        // It reached ONNX Runtime, whose OnnxRuntimeException ("graph_optimization_level is not valid") escaped Load,
        // which documents only VaeModelException and ExecutionProviderException.
        var options = new VaeSessionOptions { OptimizationLevel = (Microsoft.ML.OnnxRuntime.GraphOptimizationLevel)42 };
        var e = Assert.Throws<ArgumentException>(() => ReferenceModel.Load(options));
        Assert.Equal("OptimizationLevel", e.ParamName);
        Assert.Contains("OptimizationLevel is 42; expected one of ORT_DISABLE_ALL", e.Message);
    }

    private static string CopyOfReference()
    {
        string folder = RepoPaths.NewTempFolder();
        foreach (string file in new[] { VaeModel.EncoderFile, VaeModel.DecoderFile })
            File.Copy(Path.Combine(ReferenceModel.Folder, file), Path.Combine(folder, file));
        return folder;
    }

    /// <summary>Rewrites a one-byte metadata value in place (protobuf: key bytes, then tag 0x12, length 1, value).</summary>
    private static void PatchMetadata(string path, string key, string from, string to)
    {
        byte[] bytes = File.ReadAllBytes(path);
        byte[] pattern = [.. Encoding.UTF8.GetBytes(key), 0x12, 0x01, (byte)from[0]];
        int at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"metadata {key}={from} not found in {path}");
        bytes[at + pattern.Length - 1] = (byte)to[0];
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The metadata of a 784-input, 8-latent Bernoulli MLP pair with <paramref name="inputShape"/> as its
    /// <c>vae.input_shape</c> text.</summary>
    private static Dictionary<string, string> MlpMetadata(string inputShape) => new()
    {
        ["vae.format_version"] = "1", ["vae.model_kind"] = "mlp", ["vae.input_shape"] = inputShape, ["vae.image_shape"] = "1,28,28",
        ["vae.latent_size"] = "8", ["vae.likelihood"] = "bernoulli", ["vae.output_kind"] = "logits",
    };
}

/// <summary>What two graphs' metadata must share to be a pair, and how a difference is worded.</summary>
public class PairMismatchTests
{
    private static readonly VaeModelInfo Encoder = new(1, "mlp", [784], [1, 28, 28], 8, "bernoulli", OutputKind.Logits, "", 0, "", "");

    [Fact]
    public void Every_shared_fact_is_compared_and_each_difference_is_named()
    {
        Assert.Null(Encoder.MismatchWith(Encoder with { Producer = "another build" }));
        Assert.Equal("input shape [784] vs [1,28,28]", Encoder.MismatchWith(Encoder with { InputShape = [1, 28, 28] }));
        Assert.Equal("classes 0 vs 10 (conditional or not)", Encoder.MismatchWith(Encoder with { Classes = 10 }));
        Assert.Equal("likelihood bernoulli vs gaussian", Encoder.MismatchWith(Encoder with { Likelihood = "gaussian" }));
        Assert.Equal("format version 1 vs 2; latent size 8 vs 16",
            Encoder.MismatchWith(Encoder with { FormatVersion = 2, LatentSize = 16 }));
    }
}
