using System.CommandLine;
using Vae.Triton;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae triton</c>: an exported model folder as a Triton Inference Server model repository, NAME_encoder and
/// NAME_decoder (the names vae-serve uses), each with its model.onnx and a config.pbtxt written from Triton's ModelConfig.
/// </summary>
internal static class TritonCommand
{
    private static readonly string[] Kinds = ["gpu", "cpu"];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Exported model folder (encoder.onnx, decoder.onnx)", DefaultValueFactory = _ => "models/mnist" };
        var output = new Option<string>("--out") { Description = "Model repository folder to write into (created if needed)", Required = true };
        var name = new Option<string?>("--name") { Description = "Model name prefix: NAME_encoder and NAME_decoder (default: the model folder's name)" };
        var maxBatch = new Option<int>("--max-batch-size") { Description = "max_batch_size of both models", DefaultValueFactory = _ => 64 };
        var delay = new Option<long>("--max-queue-delay-us") { Description = "dynamic_batching max_queue_delay_microseconds", DefaultValueFactory = _ => 100 };
        var noBatching = new Option<bool>("--no-dynamic-batching") { Description = "Leave dynamic_batching out (each request runs on its own)" };
        var kind = new Option<string>("--instance-kind") { Description = "instance_group kind: gpu (KIND_GPU) or cpu (KIND_CPU)", DefaultValueFactory = _ => "gpu" };
        kind.AcceptOnlyFromAmong(Kinds);
        var count = new Option<int>("--instance-count") { Description = "instance_group count (per GPU for gpu)", DefaultValueFactory = _ => 1 };
        var force = new Option<bool>("--force") { Description = "Replace NAME_encoder and NAME_decoder when the repository has them" };
        var command = new Command("triton", "Write an exported model as a Triton Inference Server model repository: NAME_encoder/1/model.onnx and NAME_decoder/1/model.onnx " +
                                            "(copies of the export) with a config.pbtxt each (backend onnxruntime, max_batch_size, dims, dynamic_batching, instance_group).")
        {
            model, output, name, maxBatch, delay, noBatching, kind, count, force,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var options = new TritonOptions
            {
                Name = parse.GetValue(name),
                MaxBatchSize = parse.GetValue(maxBatch),
                MaxQueueDelayMicroseconds = parse.GetValue(delay),
                DynamicBatching = !parse.GetValue(noBatching),
                InstanceKind = parse.GetValue(kind) == "cpu" ? InstanceKind.Cpu : InstanceKind.Gpu,
                InstanceCount = parse.GetValue(count),
                Overwrite = parse.GetValue(force),
            };
            foreach (string folder in TritonRepository.Write(parse.GetValue(model)!, parse.GetValue(output)!, options))
                Console.WriteLine($"wrote {folder}/ (1/model.onnx, {TritonRepository.ConfigFile})");
        }));
        return command;
    }
}
