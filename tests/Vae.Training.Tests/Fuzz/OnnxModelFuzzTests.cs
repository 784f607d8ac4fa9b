using System.Text.Json.Nodes;
using Google.Protobuf;
using TorchSharp;
using Vae.Inference;
using Vae.Tests;
using Vae.Tests.Fuzz;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Onnx.Proto;
using Xunit.Abstractions;

namespace Vae.Training.Tests.Fuzz;

/// <summary>
/// Exported model folders with damaged graphs, odd metadata (wrong types, out-of-range sizes, missing keys, another
/// export's identity, a damaged input normalisation) and damaged model.json: <see cref="VaeModel.Load(string, VaeSessionOptions?)"/>
/// gives a model that encodes and decodes, or a <see cref="VaeModelException"/> naming the file; model.json reads
/// with its types checked or is an <see cref="InvalidDataException"/> naming it.
/// </summary>
public class OnnxModelFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<(string Folder, byte[] OtherEncoder)> Source = new(Export);

    private static readonly string[] OddValues =
    [
        "", "abc", "-1", "0", "1", "3", "12", "999999999", "2147483648", "1,,12", "0,12", "12,", " 12", "1,2147483647", "nan", "1e40", "logits", "mean",
        "encoder", "decoder", "bernoulli", "gaussian", "standard", "{\"kind\":\"scale\",\"offset\":[0],\"divisor\":[0]}", "{}", "[]", "null", "\u0000",
    ];

    [Fact]
    public void Model_folders_load_and_run_or_are_refused_naming_the_file()
    {
        var (source, otherEncoder) = Source.Value;
        string root = RepoPaths.NewTempFolder();
        FuzzRunner.Run("ONNX model folders", FuzzRunner.Cases(1500), seed: 5_000, (random, i) =>
        {
            string folder = Path.Combine(root, $"case{i}");
            Directory.CreateDirectory(folder);
            foreach (string file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            string what = Mutate(folder, otherEncoder, random);
            return new FuzzCase
            {
                Description = what,
                IsClearError = e => e is VaeModelException && e.Message.Contains(folder, StringComparison.Ordinal),
                Read = () =>
                {
                    using VaeModel vae = VaeModel.Load(folder);
                    // a pair that loads must run: encode a sample and decode a code of the sizes it declares
                    var x = new float[2 * vae.InputSize];
                    var mean = new float[2 * vae.LatentSize];
                    var logvar = new float[2 * vae.LatentSize];
                    var decoded = new float[2 * vae.InputSize];
                    int[] labels = vae.Classes > 0 ? [0, vae.Classes - 1] : [];
                    vae.Encode(x, mean, logvar, labels);
                    vae.Decode(new float[2 * vae.LatentSize], decoded, labels);
                },
            };
        }, output);
    }

    [Fact]
    public void Model_json_is_read_with_its_types_checked_or_refused_naming_it()
    {
        var (source, _) = Source.Value;
        string valid = File.ReadAllText(Path.Combine(source, VaeExporter.ModelJsonFile));
        string root = RepoPaths.NewTempFolder();
        FuzzRunner.Run("model.json", FuzzRunner.Cases(2000), seed: 6_000, (random, i) =>
        {
            string folder = Path.Combine(root, $"case{i}");
            Directory.CreateDirectory(folder);
            var (text, what) = FuzzMutator.Json(valid, random);
            string path = Path.Combine(folder, VaeExporter.ModelJsonFile);
            File.WriteAllText(path, text);
            return new FuzzCase
            {
                Description = what,
                IsClearError = e => e is InvalidDataException && e.Message.Contains(path, StringComparison.Ordinal),
                Read = () =>
                {
                    ModelJson json = ModelJson.Read(folder) ?? throw new FuzzMismatch("model.json is there but was not read");
                    // what it returns is what the file holds
                    var o = (JsonObject)JsonNode.Parse(text)!;
                    if (json.Checkpoint != (o["checkpoint"]?.GetValue<string>() is { Length: > 0 } c ? c : null))
                        throw new FuzzMismatch($"checkpoint '{json.Checkpoint}' is not the file's");
                    if (json.Opset != (int?)o["opset"] || json.PairId != (o["pair_id"]?.GetValue<string>() is { Length: > 0 } p ? p : null))
                        throw new FuzzMismatch("opset or pair id is not the file's");
                },
            };
        }, output);
    }

    /// <summary>One change: damaged graph bytes, one metadata value changed or removed, the normalisation damaged, or the
    /// encoder of another export.</summary>
    private static string Mutate(string folder, byte[] otherEncoder, Random random)
    {
        string graph = random.Next(2) == 0 ? VaeModel.EncoderFile : VaeModel.DecoderFile;
        string path = Path.Combine(folder, graph);
        switch (random.Next(10))
        {
            case < 5:
                var (bytes, what) = FuzzMutator.Bytes(File.ReadAllBytes(path), random);
                File.WriteAllBytes(path, bytes);
                return $"{graph}: {what}";
            case < 8:
                ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
                var entry = model.MetadataProps[random.Next(model.MetadataProps.Count)];
                string change;
                if (random.Next(5) == 0)
                {
                    model.MetadataProps.Remove(entry);
                    change = $"removed {entry.Key}";
                }
                else
                {
                    entry.Value = OddValues[random.Next(OddValues.Length)];
                    change = $"{entry.Key} = '{entry.Value}'";
                }
                File.WriteAllBytes(path, model.ToByteArray());
                return $"{graph}: {change}";
            case 8:
                string normalization = InputNormalization.Scale(255f).ToJson();
                var (json, damage) = FuzzMutator.Json(normalization, random);
                foreach (string file in new[] { VaeModel.EncoderFile, VaeModel.DecoderFile })
                {
                    string p = Path.Combine(folder, file);
                    ModelProto m = ModelProto.Parser.ParseFrom(File.ReadAllBytes(p));
                    m.MetadataProps.Single(e => e.Key == VaeMetadata.InputNormalization).Value = json;
                    File.WriteAllBytes(p, m.ToByteArray());
                }
                return $"both graphs' input normalisation: {damage}";
            default:
                File.WriteAllBytes(Path.Combine(folder, VaeModel.EncoderFile), otherEncoder);
                return "encoder.onnx of another export";
        }
    }

    /// <summary>A 12-8-2 MLP exported twice: the folder of the first export and the encoder of the second.</summary>
    private static (string, byte[]) Export()
    {
        torch.random.manual_seed(11);
        using var model = new MlpVae(TinyVae.Config) { InputNormalization = InputNormalization.Scale(255f) };
        string first = RepoPaths.NewTempFolder(), second = RepoPaths.NewTempFolder();
        VaeExporter.Export(model, first);
        VaeExporter.Export(model, second);
        return (first, File.ReadAllBytes(Path.Combine(second, VaeModel.EncoderFile)));
    }
}
