using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.Inference.Tests;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>
/// A saved VAE step is self-contained when the encoder's weights are ONNX external data: ML.NET keeps only the graph
/// file's bytes and loads them from its temporary folder, where the data's relative location named another file.
/// </summary>
public class ExternalDataSaveTests
{
    private const int D = 4, L = 2;
    private static readonly float[] Wm = [1, 2, 3, 4, 5, 6, 7, 8], Wl = new float[D * L], V = new float[L * D];

    public sealed class Row
    {
        [VectorType(D)] public float[] Pixels { get; set; } = [];
    }

    private static readonly Row[] Rows = [new() { Pixels = [1, 0.5f, 0.25f, 0] }, new() { Pixels = [0, 1, 0, 1] }];

    [Fact]
    public void The_saved_zip_holds_the_external_weights_and_reads_none_from_the_temporary_folder()
    {
        string folder = TinyOnnx.WriteExternalDataPair(D, L, Wm, Wl, V, "weights.bin");
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows);
        string path = Path.Combine(RepoPaths.NewTempFolder(), "pipeline.zip");
        float[][] expected;
        using (var fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", folder).Fit(data))
        {
            expected = TestData.Column(fitted.Transform(data), "Embedding");
            ml.Model.Save(fitted, data.Schema, path);
        }
        Assert.Equal([1 * 1 + 0.5f * 3 + 0.25f * 5, 1 * 2 + 0.5f * 4 + 0.25f * 6], expected[0]);
        Directory.Delete(folder, recursive: true);

        // ML.NET writes the graph into the system's temporary folder to load it, where "weights.bin" named another file
        // or none (without the data inside the .zip, loading failed: "External data path does not exist: /tmp/weights.bin")
        var other = new MLContext(seed: 2);
        ITransformer loaded = other.Model.Load(path, out _);
        using (loaded as IDisposable)
            Assert.Equal(expected, TestData.Column(loaded.Transform(data), "Embedding"));
    }

    [Fact]
    public void A_model_without_external_data_is_saved_with_its_graph_bytes_unchanged()
    {
        string encoder = Path.Combine(TestData.ModelPath, VaeModel.EncoderFile);
        Assert.Equal(File.ReadAllBytes(encoder), SelfContainedOnnx.Read(encoder));
    }

    [Theory]
    [InlineData("../outside.bin", "which leaves the model's folder")]
    [InlineData("/etc/hostname", "at an absolute path, /etc/hostname")]
    [InlineData("missing.bin", "in missing.bin, which does not exist in")]
    public void A_location_that_leaves_the_folder_or_is_missing_is_refused_when_embedding(string location, string expected)
    {
        string folder = TinyOnnx.WriteExternalDataPair(D, L, Wm, Wl, V, location);
        File.WriteAllBytes(Path.Combine(folder, "..", "outside.bin"), new byte[64]);
        File.Delete(Path.Combine(folder, "missing.bin"));
        string encoder = Path.Combine(folder, VaeModel.EncoderFile);
        var e = Assert.Throws<VaeModelException>(() => SelfContainedOnnx.Read(encoder));
        Assert.StartsWith($"{encoder}: tensor 'Wm' keeps its data outside the model", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_link_to_a_file_outside_the_folder_is_refused_when_embedding()
    {
        string folder = TinyOnnx.WriteExternalDataPair(D, L, Wm, Wl, V, "weights.bin");
        string outside = Path.Combine(RepoPaths.NewTempFolder(), "weights.bin");
        File.Move(Path.Combine(folder, "weights.bin"), outside);
        File.CreateSymbolicLink(Path.Combine(folder, "weights.bin"), outside);
        var e = Assert.Throws<VaeModelException>(() => SelfContainedOnnx.Read(Path.Combine(folder, VaeModel.EncoderFile)));
        Assert.Contains($"at weights.bin, which leaves the model's folder {folder} (it is {outside})", e.Message);
    }

    [Fact]
    public void A_range_beyond_the_data_file_is_refused()
    {
        string folder = TinyOnnx.WriteExternalDataPair(D, L, Wm, Wl, V, "weights.bin");
        File.WriteAllBytes(Path.Combine(folder, "weights.bin"), new byte[20]);   // offset 16 + length 32 no longer fit
        var e = Assert.Throws<VaeModelException>(() => SelfContainedOnnx.Read(Path.Combine(folder, VaeModel.EncoderFile)));
        Assert.Contains("bytes 16 to 48 of weights.bin, which holds 20 bytes", e.Message);
    }
}
