namespace Vae.Training.Onnx;

/// <summary>The ONNX opsets the exporter can target and the IR version each one needs.</summary>
public static class OnnxOpsets
{
    /// <summary>Lowest opset: 13 (Softmax, Unsqueeze and Pad in their current forms).</summary>
    public const int Min = 13;

    /// <summary>Highest opset the exporter offers; ONNX Runtime (1.31 and later) loads it (OnnxOpsetTests).</summary>
    public const int Max = 26;

    /// <summary>Default opset 17 with IR version 8: loads in every ONNX Runtime from 1.13 on and in ML.NET 5.</summary>
    public const int Default = 17;

    /// <summary>Highest IR version the exporter offers (opset 26's); ONNX Runtime (1.31 and later) loads it (OnnxOpsetTests).</summary>
    public const int MaxIrVersion = 13;

    /// <summary>Default IR version for opsets up to 18.</summary>
    public const int DefaultIrVersion = 8;

    /// <summary>The IR version of the ONNX release that introduced <paramref name="opset"/>, the lowest one the exporter
    /// writes with it (ONNX's release table: opset 13–14 → IR 7, 15–18 → IR 8, 19–20 → IR 9, 21–22 → IR 10, 23 → IR 11,
    /// 24–25 → IR 12, 26 → IR 13; ONNX Runtime loads all of them).</summary>
    public static int MinIrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        <= 22 => 10,
        23 => 11,
        <= 25 => 12,
        _ => 13,
    };

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="opset"/> cannot be targeted.</summary>
    public static void Check(int opset)
    {
        if (opset < Min || opset > Max)
            throw new ArgumentException($"opset is {opset}; expected {Min} to {Max} (the opsets the exporter writes).", nameof(opset));
    }
}
