namespace Vae.Inference.Tests;

/// <summary><see cref="VaeModel.Load(byte[], byte[], VaeSessionOptions?)"/>: a pair loaded from bytes in memory is the pair loaded from its files.</summary>
public class InMemoryLoadTests
{
    private static byte[] Bytes(string file) => File.ReadAllBytes(Path.Combine(ReferenceModel.Folder, file));

    [Fact]
    public void A_pair_loaded_from_bytes_encodes_and_decodes_exactly_as_the_pair_loaded_from_its_folder()
    {
        using VaeModel fromFiles = ReferenceModel.Load();
        using VaeModel fromBytes = VaeModel.Load(Bytes(VaeModel.EncoderFile), Bytes(VaeModel.DecoderFile));
        Assert.Equivalent(fromFiles.Info, fromBytes.Info, strict: true);

        float[] x = ReferenceModel.Flat(ReferenceModel.Data.X);
        var (mean, logvar) = fromBytes.Encode(x);
        var (expectedMean, expectedLogvar) = fromFiles.Encode(x);
        Assert.Equal(expectedMean, mean);
        Assert.Equal(expectedLogvar, logvar);
        Assert.Equal(fromFiles.Decode(expectedMean), fromBytes.Decode(mean));
        Assert.Equal(fromFiles.ScoreAnomalies(x, samples: 3, seed: 5), fromBytes.ScoreAnomalies(x, samples: 3, seed: 5));
    }

    [Fact]
    public void Bytes_that_are_not_onnx_are_a_model_error_naming_the_graph()
    {
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load([0x08, 0x07, 0x12, 0xFF], Bytes(VaeModel.DecoderFile)));
        Assert.StartsWith("encoder (4 bytes in memory): not a loadable ONNX model", e.Message);
    }

    [Fact]
    public void Swapped_bytes_are_refused_as_swapped_files_are()
    {
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(Bytes(VaeModel.DecoderFile), Bytes(VaeModel.EncoderFile)));
        Assert.Contains("swapped", e.Message);
        Assert.Contains("bytes in memory", e.Message);
    }

    [Fact]
    public void Null_bytes_are_an_argument_error()
    {
        Assert.Equal("encoderOnnx", Assert.Throws<ArgumentNullException>(() => VaeModel.Load(null!, Bytes(VaeModel.DecoderFile))).ParamName);
        Assert.Equal("decoderOnnx", Assert.Throws<ArgumentNullException>(() => VaeModel.Load(Bytes(VaeModel.EncoderFile), (byte[])null!)).ParamName);
    }
}
