using System.Diagnostics;
using Google.Protobuf;
using Vae.Inference;
using Vae.Triton;
using Vae.Triton.Proto;

namespace Vae.Server.Tests;

/// <summary>
/// The Triton model repository of models/reference: its files, the exact config.pbtxt text, and the text read back by
/// protoc (Grpc.Tools' protobuf compiler, whose text-format parser is the one Triton links) into the same ModelConfig.
/// </summary>
public class TritonRepositoryTests
{
    private static readonly string ProtoFolder = Path.Combine(RepoPaths.Root, "inference", "Vae.Triton", "Proto");

    [Fact]
    public void The_repository_holds_both_graphs_byte_identical_with_triton_configs()
    {
        string repository = RepoPaths.NewTempFolder();
        IReadOnlyList<string> written = TritonRepository.Write(TestServers.Reference, repository);
        Assert.Equal([Path.Combine(repository, "reference_encoder"), Path.Combine(repository, "reference_decoder")], written);
        foreach (string graph in new[] { "encoder", "decoder" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(TestServers.Reference, $"{graph}.onnx")), File.ReadAllBytes(Path.Combine(repository, $"reference_{graph}", "1", "model.onnx")));
        Assert.Equal("""
            name: "reference_encoder"
            max_batch_size: 64
            input {
              name: "x"
              data_type: TYPE_FP32
              dims: [ 784 ]
            }
            output {
              name: "mean"
              data_type: TYPE_FP32
              dims: [ 8 ]
            }
            output {
              name: "logvar"
              data_type: TYPE_FP32
              dims: [ 8 ]
            }
            instance_group {
              count: 1
              kind: KIND_GPU
            }
            dynamic_batching {
              max_queue_delay_microseconds: 100
            }
            backend: "onnxruntime"

            """.ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(repository, "reference_encoder", "config.pbtxt")));
        Assert.Empty(Directory.GetDirectories(repository, ".*")); // no temporary folder left behind
    }

    [Fact]
    public void Protoc_reads_every_config_back_into_the_same_message()
    {
        string repository = RepoPaths.NewTempFolder();
        var options = new TritonOptions { InstanceKind = InstanceKind.Cpu, InstanceCount = 3, MaxBatchSize = 256, MaxQueueDelayMicroseconds = 5000 };
        TritonRepository.Write(TestServers.Reference, repository, options);
        foreach (string model in new[] { "reference_encoder", "reference_decoder" })
        {
            ModelConfig expected = TritonRepository.Config(model, Path.Combine(repository, model, "1", "model.onnx"), options);
            Assert.Equal(expected, Protoc(File.ReadAllText(Path.Combine(repository, model, "config.pbtxt"))));
        }
        using VaeModel vae = VaeModel.Load(TestServers.Reference);
        ModelConfig decoder = Protoc(File.ReadAllText(Path.Combine(repository, "reference_decoder", "config.pbtxt")));
        Assert.Equal(["logits", "probs"], decoder.Output.Select(o => o.Name));
        Assert.All(decoder.Output, o => Assert.Equal([784L], o.Dims));
    }

    [Fact]
    public void The_text_writer_escapes_strings_and_writes_maps_repeated_fields_and_unset_defaults_as_protoc_reads_them()
    {
        var config = new ModelConfig
        {
            Name = "quote \" backslash \\ newline \n tab \t é ✓",
            Platform = "",
            MaxBatchSize = -1,
            DynamicBatching = new ModelDynamicBatching
            {
                PreferredBatchSize = { 4, 8 },
                DefaultQueuePolicy = new ModelQueuePolicy { TimeoutAction = ModelQueuePolicy.Types.TimeoutAction.Delay, MaxQueueSize = 0, DefaultTimeoutMicroseconds = ulong.MaxValue },
            },
            InstanceGroup = { new ModelInstanceGroup { Kind = ModelInstanceGroup.Types.Kind.Gpu, Gpus = { 0, 1 } }, new ModelInstanceGroup { Name = "cpu" } },
            Parameters = { ["b"] = new ModelParameter { StringValue = "2" }, ["a"] = new ModelParameter() },
        };
        string text = ProtoText.Format(config);
        Assert.Equal(config, Protoc(text));
        Assert.Contains("name: \"quote \\\" backslash \\\\ newline \\n tab \\t \\303\\251 \\342\\234\\223\"\n", text);
        Assert.Contains("parameters {\n  key: \"a\"\n  value {\n  }\n}\nparameters {\n  key: \"b\"\n", text); // map entries by key; an empty message still present
        Assert.Contains("  preferred_batch_size: [ 4, 8 ]\n", text);
        Assert.Contains("    timeout_action: DELAY\n    default_timeout_microseconds: 18446744073709551615\n  }\n", text);
        Assert.DoesNotContain("platform", text);
        Assert.DoesNotContain("max_queue_size", text);
        Assert.Equal("", ProtoText.Format(new ModelConfig()));
    }

    [Fact]
    public void Options_are_checked_and_an_existing_model_is_replaced_only_when_asked()
    {
        Assert.Contains("MaxBatchSize is 0", Assert.Throws<ArgumentException>(() => new TritonOptions { MaxBatchSize = 0 }.Validate()).Message);
        Assert.Contains("Name is 'my model'", Assert.Throws<ArgumentException>(() => new TritonOptions { Name = "my model" }.Validate()).Message);
        string repository = RepoPaths.NewTempFolder();
        TritonRepository.Write(TestServers.Reference, repository, new TritonOptions { Name = "m" });
        File.WriteAllText(Path.Combine(repository, "m_encoder", "config.pbtxt"), "edited");
        Assert.Throws<IOException>(() => TritonRepository.Write(TestServers.Reference, repository, new TritonOptions { Name = "m" }));
        Assert.Equal("edited", File.ReadAllText(Path.Combine(repository, "m_encoder", "config.pbtxt")));
        TritonRepository.Write(TestServers.Reference, repository, new TritonOptions { Name = "m", Overwrite = true });
        Assert.StartsWith("name: \"m_encoder\"", File.ReadAllText(Path.Combine(repository, "m_encoder", "config.pbtxt")));
        Assert.Equal(["m_decoder", "m_encoder"], Directory.GetFileSystemEntries(repository).Select(Path.GetFileName).Order());
    }

    /// <summary>Parses protobuf text with protoc --encode and reads the binary message it prints.</summary>
    private static ModelConfig Protoc(string text)
    {
        string protoc = Path.Combine(RepoPaths.BuildMetadata("GrpcToolsFolder")!, "tools", "linux_x64", "protoc");
        Assert.True(File.Exists(protoc), $"protoc is missing at {protoc} (Grpc.Tools restores it)");
        var start = new ProcessStartInfo(protoc) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--encode=inference.ModelConfig", $"--proto_path={ProtoFolder}", "model_config.proto" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(text);
        process.StandardInput.Close();
        using var binary = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(binary);
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"protoc refused the text: {error}\n{text}");
        return ModelConfig.Parser.ParseFrom(binary.ToArray());
    }
}
