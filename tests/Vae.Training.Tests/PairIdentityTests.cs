using Google.Protobuf;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Onnx.Proto;

namespace Vae.Training.Tests;

/// <summary>
/// An encoder and a decoder load together only when one export wrote them: both graphs and model.json carry the
/// export's identity, a folder is replaced whole, and an export interrupted between its renames loses nothing.
/// </summary>
public class PairIdentityTests
{
    private static string Export(string folder, int seed = 4)
    {
        torch.random.manual_seed(seed);
        using var model = new MlpVae(TinyVae.Config);
        VaeExporter.Export(model, folder);
        return folder;
    }

    private static string? MetadataPairId(string graph) =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph)).MetadataProps.SingleOrDefault(p => p.Key == VaeMetadata.PairId)?.Value;

    [Fact]
    public void Every_export_writes_one_new_identity_into_both_graphs_and_model_json()
    {
        string first = Export(RepoPaths.NewTempFolder()), second = Export(RepoPaths.NewTempFolder());
        string? id = MetadataPairId(Path.Combine(first, VaeModel.EncoderFile));
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, MetadataPairId(Path.Combine(first, VaeModel.DecoderFile)));
        Assert.Equal(id, ModelJson.Read(first)!.PairId);
        using VaeModel vae = VaeModel.Load(first);
        Assert.Equal(id, vae.Info.PairId);
        Assert.NotEqual(id, MetadataPairId(Path.Combine(second, VaeModel.EncoderFile)));
    }

    [Fact]
    public void Graphs_of_two_exports_with_the_same_shapes_are_refused_naming_both_files()
    {
        string first = Export(RepoPaths.NewTempFolder(), seed: 4), second = Export(RepoPaths.NewTempFolder(), seed: 5);
        File.Copy(Path.Combine(second, VaeModel.EncoderFile), Path.Combine(first, VaeModel.EncoderFile), overwrite: true);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(first));
        Assert.Contains($"{Path.Combine(first, VaeModel.EncoderFile)} and {Path.Combine(first, VaeModel.DecoderFile)} are not a pair", e.Message);
        Assert.Contains("different exports", e.Message);
        var check = Assert.Throws<VaeModelException>(() => VaeExporter.Check(first, checkpoint: "unused"));
        Assert.Contains("different exports", check.Message);
    }

    [Fact]
    public void A_graph_without_an_identity_beside_one_with_it_is_refused_and_a_pair_without_both_loads()
    {
        string folder = Export(RepoPaths.NewTempFolder());
        string encoder = Path.Combine(folder, VaeModel.EncoderFile), decoder = Path.Combine(folder, VaeModel.DecoderFile);
        WithoutPairId(encoder);
        Assert.Contains("pair id none vs", Assert.Throws<VaeModelException>(() => VaeModel.Load(folder)).Message);
        WithoutPairId(decoder);   // as exported before identities were written: still a pair
        using VaeModel vae = VaeModel.Load(folder);
        Assert.Null(vae.Info.PairId);
    }

    [Fact]
    public void Model_json_of_another_export_is_refused_by_check()
    {
        string first = Export(RepoPaths.NewTempFolder(), seed: 4), second = Export(RepoPaths.NewTempFolder(), seed: 4);
        File.Copy(Path.Combine(second, VaeExporter.ModelJsonFile), Path.Combine(first, VaeExporter.ModelJsonFile), overwrite: true);
        var e = Assert.Throws<VaeModelException>(() => VaeExporter.Check(first, checkpoint: "unused"));
        Assert.Contains($"{Path.Combine(first, VaeExporter.ModelJsonFile)} belongs to another export", e.Message);
    }

    [Fact]
    public void Exporting_over_a_folder_replaces_the_pair_whole_keeps_other_files_and_removes_leftovers()
    {
        string parent = RepoPaths.NewTempFolder(), folder = Export(Path.Combine(parent, "model"));
        File.WriteAllText(Path.Combine(folder, "COMMANDS.txt"), "how it was made");
        File.WriteAllText(Path.Combine(folder, $"{VaeModel.DecoderFile}.123.abc.tmp"), "half a decoder from an older exporter");
        Directory.CreateDirectory(Path.Combine(parent, $"model.{int.MaxValue}.dead.tmp"));   // an export killed part-way
        string? before = MetadataPairId(Path.Combine(folder, VaeModel.EncoderFile));

        Export(folder, seed: 9);

        string? after = MetadataPairId(Path.Combine(folder, VaeModel.EncoderFile));
        Assert.NotEqual(before, after);
        Assert.Equal(after, MetadataPairId(Path.Combine(folder, VaeModel.DecoderFile)));
        Assert.Equal("how it was made", File.ReadAllText(Path.Combine(folder, "COMMANDS.txt")));
        Assert.Equal(["COMMANDS.txt", "decoder.onnx", "encoder.onnx", "model.json", "reference.json"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["model"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void An_export_interrupted_between_its_renames_is_named_at_load_and_put_back_by_the_next_export()
    {
        string parent = RepoPaths.NewTempFolder(), folder = Export(Path.Combine(parent, "model"));
        string aside = Path.Combine(parent, $"model.{int.MaxValue}.0123.old");
        Directory.Move(folder, aside);   // the moment between moving the old folder aside and the new one in

        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains($"{folder} is missing, but {aside} holds the pair exported there before", e.Message);

        Export(folder, seed: 9);
        Assert.False(Directory.Exists(aside));
        using VaeModel vae = VaeModel.Load(folder);
        Assert.Equal(vae.Info.PairId, ModelJson.Read(folder)!.PairId);
    }

    private static void WithoutPairId(string graph)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph));
        model.MetadataProps.Remove(model.MetadataProps.Single(p => p.Key == VaeMetadata.PairId));
        File.WriteAllBytes(graph, model.ToByteArray());
    }
}
