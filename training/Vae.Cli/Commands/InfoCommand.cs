using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Inference;
using Vae.Training.Models;
using Vae.Training.Onnx;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae info</c>: what an exported model folder holds — the pair's facts as <see cref="VaeModel"/> reads them from the
/// graphs' metadata (shapes, likelihood, decoder outputs, classes, input normalisation, training summary) and, when
/// model.json is there, how it was exported (opset, IR version, verification, checkpoint). Loads the pair, so a
/// damaged file fails here as it would in an application. Given a checkpoint or a run folder (config.json, or its
/// best/), it shows the model config, the training summary and the input normalisation of the checkpoint instead.
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Exported model folder (encoder.onnx, decoder.onnx), or a checkpoint or run folder from 'vae train'", DefaultValueFactory = _ => "models/mnist" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var command = new Command("info", "Show what an exported model folder holds: shapes, likelihood, decoder outputs, classes, input normalisation, training figures, export settings.")
        {
            model, json,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string folder = parse.GetValue(model)!;
            if (!File.Exists(Path.Combine(folder, VaeModel.EncoderFile)) && IsCheckpoint(folder))
            {
                ShowCheckpoint(folder, parse.GetValue(json));
                return;
            }
            using VaeModel vae = VaeModel.Load(folder);
            VaeModelInfo info = vae.Info;
            ModelJson? export = ModelJson.Read(folder);
            if (export?.PairId is { } recorded && recorded != info.PairId)
                throw new InvalidDataException($"{export.Path} belongs to another export (pair id {recorded}) than the graphs in {folder} ({info.PairId ?? "none"}); its facts would not be theirs. Export again.");
            JsonNode? training = ParseTraining(info.Training);
            string[] decoderOutputs = info.OutputKind == OutputKind.Logits
                ? vae.DecoderHasProbabilities ? [VaeGraphNames.Logits, VaeGraphNames.Probs] : [VaeGraphNames.Logits]
                : vae.PixelLogvar.Length > 0 ? [VaeGraphNames.Mean, VaeGraphNames.Logvar] : [VaeGraphNames.Mean];
            var facts = new JsonObject
            {
                ["model"] = Path.GetFullPath(folder),
                ["model_kind"] = info.ModelKind,
                ["input_shape"] = new JsonArray([.. info.InputShape.Select(d => (JsonNode?)d)]),
                ["image_shape"] = new JsonArray([.. info.ImageShape.Select(d => (JsonNode?)d)]),
                ["latent_size"] = info.LatentSize,
                ["likelihood"] = info.Likelihood,
                ["gaussian_sigma"] = info.Likelihood == "gaussian" && vae.PixelLogvar.Length == 0 ? info.GaussianSigma : null,
                ["decoder_outputs"] = new JsonArray([.. decoderOutputs.Select(o => (JsonNode?)o)]),
                ["classes"] = info.Classes,
                ["input_normalization"] = info.Normalization is { } n ? JsonNode.Parse(n.ToJson()) : null,
                ["pixel_scaling"] = info.PixelScaling,
                ["producer"] = info.Producer,
                ["training"] = training,
                ["pair_id"] = info.PairId,
                ["opset"] = export?.Opset,
                ["ir_version"] = export?.IrVersion,
                ["verification_max_abs_difference"] = export?.VerificationMaxAbsDifference,
                ["checkpoint"] = export?.Checkpoint,
            };
            if (parse.GetValue(json))
            {
                Console.WriteLine(facts.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return;
            }
            Console.WriteLine($"model: {Path.GetFullPath(folder)} ({Size(folder, VaeModel.EncoderFile)} + {Size(folder, VaeModel.DecoderFile)})");
            string image = info.ImageShape.SequenceEqual(info.InputShape) ? "" : $" (image {string.Join("×", info.ImageShape)})";
            Console.WriteLine($"architecture: {info.ModelKind}, input [{string.Join(", ", info.InputShape)}]{image}, latent {info.LatentSize}" +
                              (info.Classes > 0 ? $", conditional on {info.Classes} classes" : ""));
            if (VaeHierarchy.IsHierarchical(info))
            {
                using VaeHierarchy hierarchy = VaeHierarchy.Load(folder);
                Console.WriteLine($"stochastic layers: {string.Join(", ", hierarchy.LatentSizes)} (from the data up); prior of the top layer: " +
                                  (hierarchy.HasVampPrior ? $"VampPrior of {hierarchy.PriorComponents} pseudo-inputs" : "N(0, I)") +
                                  "; the pair works on the top layer along the mean path, generation and scores go through every layer");
            }
            Console.WriteLine($"likelihood: {info.Likelihood}{(facts["gaussian_sigma"] is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (σ {info.GaussianSigma:G})"))}; decoder outputs {string.Join(", ", decoderOutputs)}");
            Console.WriteLine($"inputs: {(info.Normalization is { } normalization ? normalization.Describe() : info.PixelScaling is { Length: > 0 } text ? text : "not recorded")}" +
                              (info.Normalization is { IsFitted: true } ? "; applied by the CLI to the data it reads for this model" : ""));
            if (training is JsonObject t) Console.WriteLine($"training: {TrainingLine(t)}");
            if (export is not null)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"export: opset {export.Opset?.ToString(CultureInfo.InvariantCulture) ?? "?"}, IR {export.IrVersion?.ToString(CultureInfo.InvariantCulture) ?? "?"}, ONNX Runtime vs TorchSharp max |diff| {export.VerificationMaxAbsDifference?.ToString("G3", CultureInfo.InvariantCulture) ?? "?"}; checkpoint {export.Checkpoint ?? "not recorded"}"));
            Console.WriteLine($"producer: {(info.Producer is { Length: > 0 } p ? p : "not recorded")}; execution provider {vae.Provider}");
        }));
        return command;
    }

    /// <summary>Whether <paramref name="folder"/> is a checkpoint or a run folder; a best/ that a crash left moved aside
    /// (<see cref="Checkpoint.Recover"/>) is put back first, as loading it for export would.</summary>
    private static bool IsCheckpoint(string folder)
    {
        Checkpoint.Recover(folder);
        Checkpoint.Recover(Path.Combine(folder, Checkpoint.BestFolder));
        return File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)) || File.Exists(Path.Combine(folder, Checkpoint.BestFolder, Checkpoint.ConfigFile));
    }

    /// <summary>A checkpoint's facts: its config (as config.json holds it), training summary and input normalisation.
    /// Loads the weights too, so a damaged checkpoint fails here as it would in 'vae export'.</summary>
    private static void ShowCheckpoint(string folder, bool asJson)
    {
        string resolved = Checkpoint.Resolve(folder);
        using VaeModule module = Checkpoint.Load(resolved);
        long parameters = module.parameters().Sum(p => p.numel());
        JsonNode? training = ParseTraining(Checkpoint.ReadTrainingJson(resolved));
        if (asJson)
        {
            var facts = new JsonObject
            {
                ["checkpoint"] = Path.GetFullPath(resolved),
                ["parameters"] = parameters,
                ["config"] = JsonNode.Parse(module.Config.ToJson()),
                ["input_normalization"] = module.InputNormalization is { } n ? JsonNode.Parse(n.ToJson()) : null,
                ["training"] = training,
            };
            Console.WriteLine(facts.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return;
        }
        Console.WriteLine($"checkpoint: {Path.GetFullPath(resolved)} (TorchSharp; export it with 'vae export --checkpoint {folder}')");
        Console.WriteLine($"model: {TrainProgress.Describe(module.Config)}; {parameters:N0} parameters");
        Console.WriteLine($"inputs: {module.InputNormalization?.Describe() ?? "not recorded"}");
        if (training is JsonObject t) Console.WriteLine($"training: {TrainingLine(t)}");
    }

    /// <summary>The metadata's training summary as JSON, or null when it is empty or not JSON (graphs from elsewhere).</summary>
    private static JsonNode? ParseTraining(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonNode.Parse(text, documentOptions: VaeConfig.DocumentOptions) is JsonObject { Count: > 0 } o ? o : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>The training summary in words; a summary that is not one <see cref="Trainer"/> writes (graphs from elsewhere) as its JSON.</summary>
    private static string TrainingLine(JsonObject t)
    {
        TrainingSummary summary;
        try { summary = TrainingSummary.FromJson(t.ToJsonString(), "the training summary"); }
        catch (InvalidDataException) { return t.ToJsonString(); }
        var parts = new List<string> { $"{summary.Epochs} epochs" };
        foreach (var (figure, name) in new[] { (summary.TestNegElbo, "test"), (summary.ValidationNegElbo, "validation"), (summary.TrainNegElbo, "train") })
            if (figure is { } value) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} −ELBO {value:F2}"));
        if (summary.ActiveUnits >= 0) parts.Add($"{summary.ActiveUnits} active units");   // -1: no set to count them on
        parts.Add($"{summary.TrainCount} training samples");
        return string.Join(", ", parts);
    }

    private static string Size(string folder, string file) =>
        string.Create(CultureInfo.InvariantCulture, $"{file} {new FileInfo(Path.Combine(folder, file)).Length / 1024.0:F0} KiB");
}
