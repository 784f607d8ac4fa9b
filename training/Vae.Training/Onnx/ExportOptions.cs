namespace Vae.Training.Onnx;

/// <summary>Settings of one export.</summary>
public sealed record ExportOptions
{
    /// <summary>Default opset: loads in every ONNX Runtime from 1.13 on and in ML.NET 5.</summary>
    public const int DefaultOpset = 17;

    /// <summary>ONNX opset (default 17).</summary>
    public int Opset { get; init; } = DefaultOpset;

    /// <summary>ONNX IR version (default 8).</summary>
    public int IrVersion { get; init; } = 8;

    /// <summary>Largest accepted |ONNX Runtime − TorchSharp| difference in verification (default 1e-5).</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Free-form training summary stored in the metadata (JSON).</summary>
    public string TrainingSummary { get; init; } = "{}";

    /// <summary>The command that produced the model, recorded in model.json.</summary>
    public string Command { get; init; } = "";
}

/// <summary>What an export wrote and how closely ONNX Runtime matched TorchSharp.</summary>
/// <param name="MaxAbsDifference">Largest difference over all verified outputs.</param>
public sealed record ExportResult(string Folder, string EncoderPath, string DecoderPath, double MaxAbsDifference, double Seconds);
