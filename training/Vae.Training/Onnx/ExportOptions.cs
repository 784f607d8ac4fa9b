namespace Vae.Training.Onnx;

/// <summary>Settings of one export.</summary>
public sealed record ExportOptions
{
    /// <summary>Default opset: loads in every ONNX Runtime from 1.13 on and in ML.NET 5.</summary>
    public const int DefaultOpset = OnnxOpsets.Default;

    /// <summary>Default absolute part of the verification tolerance.</summary>
    public const double DefaultTolerance = 1e-5;

    /// <summary>ONNX opset, <see cref="OnnxOpsets.Min"/> to <see cref="OnnxOpsets.Max"/> (default 17). Layers whose best form
    /// needs a newer opset are written as the equivalent older decomposition (e.g. GELU through Erf below opset 20).</summary>
    public int Opset { get; init; } = DefaultOpset;

    /// <summary>ONNX IR version, from the lowest the opset needs to <see cref="OnnxOpsets.MaxIrVersion"/>; null (default)
    /// picks 8, or the lowest IR version the opset needs when that is higher.</summary>
    public int? IrVersion { get; init; }

    /// <summary>Absolute part of the verification tolerance (default 1e-5); see <see cref="OnnxParity.RelativeTolerance"/>.</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>
    /// Whether a Bernoulli decoder graph also outputs <c>probs</c> = σ(logits) (default true): then ONNX Runtime computes
    /// the probabilities inside the run, for this library's Decode and for any other consumer of decoder.onnx. ONNX
    /// Runtime runs the whole graph whichever outputs are fetched, so likelihood computations (anomaly scores,
    /// reconstruction error), which fetch the logits, pay for the sigmoid too; false keeps a logits-only decoder.
    /// </summary>
    public bool ProbabilitiesOutput { get; init; } = true;

    /// <summary>Free-form training summary stored in the metadata (JSON).</summary>
    public string TrainingSummary { get; init; } = "{}";

    /// <summary>How raw data was turned into the model's training inputs (<see cref="Data.Dataset.Normalization"/>, saved in
    /// a checkpoint's normalization.json); written into both graphs' metadata (<c>vae.input_normalization</c>) so that
    /// inference prepares data the same way. Null (default): the model's own <see cref="Models.VaeModule.InputNormalization"/>
    /// (set by training and by loading a checkpoint).</summary>
    public Vae.Inference.InputNormalization? Normalization { get; init; }

    /// <summary>The command that produced the model, recorded in model.json.</summary>
    public string Command { get; init; } = "";

    /// <summary>Checkpoint folder the model was loaded from, recorded in model.json so <see cref="VaeExporter.Check"/> can re-verify; null when unknown.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// The identity written into both graphs (metadata <c>vae.pair_id</c>) and model.json, so that a loader can refuse an
    /// encoder and a decoder of two different exports; null (default): a new GUID for each export. Letters, digits, '-'
    /// and '_' only, at most 128 characters.
    /// </summary>
    public string? PairId { get; init; }

    /// <summary>A new pair identity: a GUID as 32 hexadecimal digits.</summary>
    public static string NewPairId() => Guid.NewGuid().ToString("N");

    /// <summary>The IR version written into the models.</summary>
    public int EffectiveIrVersion => IrVersion ?? Math.Max(OnnxOpsets.DefaultIrVersion, OnnxOpsets.MinIrVersion(Opset));

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public ExportOptions Validate()
    {
        OnnxOpsets.Check(Opset);
        if (IrVersion is int ir && ir < OnnxOpsets.MinIrVersion(Opset))
            throw new ArgumentException($"{nameof(ExportOptions)}.{nameof(IrVersion)} is {ir}; opset {Opset} needs IR version {OnnxOpsets.MinIrVersion(Opset)} or higher.", nameof(IrVersion));
        // ONNX Runtime refused it only when verification opened the graph, in a message about its own source file
        if (IrVersion is int newest && newest > OnnxOpsets.MaxIrVersion)
        {
            int lowest = OnnxOpsets.MinIrVersion(Opset);
            string range = lowest == OnnxOpsets.MaxIrVersion ? $"{lowest}" : $"{lowest} to {OnnxOpsets.MaxIrVersion}";
            throw new ArgumentException($"{nameof(ExportOptions)}.{nameof(IrVersion)} is {newest}; expected {range} for opset {Opset} (the newest IR version the exporter writes is {OnnxOpsets.MaxIrVersion}).", nameof(IrVersion));
        }
        if (PairId is { } id && (id.Length is 0 or > 128 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"{nameof(PairId)} is '{id}'; expected 1 to 128 letters, digits, '-' or '_' (null: a new GUID).", nameof(PairId));
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
            throw new ArgumentException($"{nameof(ExportOptions)}.{nameof(Tolerance)} is {Tolerance}; expected a positive finite number such as 1e-5.", nameof(Tolerance));
        try
        {
            System.Text.Json.Nodes.JsonNode.Parse(TrainingSummary, documentOptions: Models.VaeConfig.DocumentOptions);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"{nameof(ExportOptions)}.{nameof(TrainingSummary)} is not valid JSON: {e.Message}", nameof(TrainingSummary), e);
        }
        return this;
    }
}

/// <summary>What an export wrote and how closely ONNX Runtime matched TorchSharp.</summary>
/// <param name="MaxAbsDifference">Largest difference over all verified outputs.</param>
/// <param name="Seconds">Wall time of build + verification + writing.</param>
/// <param name="Phases">Where <see cref="Seconds"/> went.</param>
public sealed record ExportResult(string Folder, string EncoderPath, string DecoderPath, double MaxAbsDifference, double Seconds, ExportPhases Phases)
{
    /// <summary>Hierarchical models: the layer graphs written beside the pair (<see cref="HierarchicalOnnxGraphs"/>); empty otherwise.</summary>
    public IReadOnlyList<string> LayerGraphPaths { get; init; } = [];
}

/// <summary>Wall time of each export phase, in seconds.</summary>
/// <param name="Build">Walking the module tree and writing both graphs in memory.</param>
/// <param name="Verify">Opening both graphs in ONNX Runtime and comparing them with TorchSharp.</param>
/// <param name="Write">Computing reference.json and writing the four files.</param>
public sealed record ExportPhases(double Build, double Verify, double Write);
