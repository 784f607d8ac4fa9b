using Vae.Tests;

namespace Vae.Inference.Tests;

/// <summary>
/// Graphs whose weights are ONNX external data (a file beside the model): read from inside the model's folder, and a
/// location that leaves the folder is refused, however the pair is loaded.
/// </summary>
public class ExternalDataTests
{
    // x [1, 4] · Wm [4, 2] is the posterior mean of the linear test pair
    private static readonly float[] Wm = [1, 2, 3, 4, 5, 6, 7, 8], Wl = new float[8], V = new float[8];
    private static readonly float[] X = [1, 0.5f, 0.25f, 0];

    [Fact]
    public void Weights_beside_the_model_are_read_from_the_model_folder_whatever_the_working_directory()
    {
        string folder = TinyOnnx.WriteExternalDataPair(4, 2, Wm, Wl, V, "weights.bin");
        string elsewhere = RepoPaths.NewTempFolder();
        File.WriteAllBytes(Path.Combine(elsewhere, "weights.bin"), new byte[64]);   // a decoy where a relative path would also resolve
        string before = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = elsewhere;
            using VaeModel vae = VaeModel.Load(folder);
            var (mean, _) = vae.Encode(X);
            Assert.Equal([1 * 1 + 0.5f * 3 + 0.25f * 5, 1 * 2 + 0.5f * 4 + 0.25f * 6], mean);
        }
        finally
        {
            Environment.CurrentDirectory = before;
        }
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("sub/../../outside.bin")]
    [InlineData("/etc/hostname")]
    public void A_location_that_leaves_the_model_folder_is_refused(string location)
    {
        string folder = TinyOnnx.WriteExternalDataPair(4, 2, Wm, Wl, V, location);
        File.WriteAllBytes(Path.Combine(folder, "..", "outside.bin"), new byte[64]);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.StartsWith($"{Path.Combine(folder, VaeModel.EncoderFile)}: its weights are ONNX external data at a location outside the model's folder, which is refused", e.Message);
        Assert.Contains(location.StartsWith('/') ? "Absolute path not allowed" : location, e.Message);   // ONNX Runtime's own words
    }

    [Fact]
    public void A_link_inside_the_folder_to_a_file_outside_is_refused()
    {
        string folder = TinyOnnx.WriteExternalDataPair(4, 2, Wm, Wl, V, "weights.bin");
        string outside = Path.Combine(RepoPaths.NewTempFolder(), "weights.bin");
        File.Move(Path.Combine(folder, "weights.bin"), outside);
        File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), outside);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.StartsWith($"{Path.Combine(folder, VaeModel.EncoderFile)}: its weights are ONNX external data at a location outside the model's folder", e.Message);
        Assert.Contains(outside, e.Message);
    }

    [Fact]
    public void A_pair_loaded_from_memory_with_external_data_is_refused()
    {
        string folder = TinyOnnx.WriteExternalDataPair(4, 2, Wm, Wl, V, "weights.bin");
        byte[] encoder = File.ReadAllBytes(Path.Combine(folder, VaeModel.EncoderFile)), decoder = File.ReadAllBytes(Path.Combine(folder, VaeModel.DecoderFile));
        string before = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = folder;   // where a relative location would resolve
            var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(encoder, decoder));
            Assert.Equal($"encoder ({encoder.Length:N0} bytes in memory): the graph keeps weights as ONNX external data, which a graph loaded from memory cannot read; " +
                         "load the pair from its folder, or embed the data in the graph.", e.Message);
        }
        finally
        {
            Environment.CurrentDirectory = before;
        }
    }
}
