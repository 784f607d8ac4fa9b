namespace Vae.Training.Onnx;

/// <summary>The ONNX opsets the exporter can target and the IR version each one needs.</summary>
public static class OnnxOpsets
{
    /// <summary>Lowest opset: 13 (Softmax, Unsqueeze and Pad in their current forms).</summary>
    public const int Min = 13;

    /// <summary>
    /// Highest opset: the newest ONNX Runtime 1.31 loads (measured with OnnxOpsetTests:
    /// a model importing opset <see cref="Max"/> + 1 is refused).
    /// </summary>
    public const int Max = 23;

    /// <summary>Default opset 17 with IR version 8: loads in every ONNX Runtime from 1.13 on and in ML.NET 5.</summary>
    public const int Default = 17;

    /// <summary>Default IR version for opsets up to 18.</summary>
    public const int DefaultIrVersion = 8;

    /// <summary>The lowest IR version that may import <paramref name="opset"/> (ONNX's release table:
    /// opset 13–14 → IR 7, 15–18 → IR 8, 19–20 → IR 9, 21–22 → IR 10, 23 → IR 11).</summary>
    public static int MinIrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        <= 22 => 10,
        _ => 11,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when <paramref name="opset"/> cannot be targeted.</summary>
    public static void Check(int opset)
    {
        if (opset < Min || opset > Max)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"opset is {opset}; expected {Min} to {Max} (the newest ONNX Runtime 1.31 loads).");
    }
}
