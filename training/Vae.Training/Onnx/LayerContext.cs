namespace Vae.Training.Onnx;

/// <summary>A value in an ONNX graph under construction: its name and the shape of one sample (the batch axis excluded).</summary>
/// <param name="Name">ONNX value name.</param>
/// <param name="SampleShape">Shape without the leading dynamic batch axis, e.g. [1, 28, 28].</param>
public sealed record OnnxValue(string Name, int[] SampleShape)
{
    /// <summary>Rank of the full tensor, batch axis included.</summary>
    public int Rank => SampleShape.Length + 1;
}

/// <summary>Where a module sits, what it reads and what it must write; handed to every converter.</summary>
/// <param name="Path">Dotted path in the module tree, also the prefix of its initializer names (e.g. <c>encoder.0</c>).</param>
/// <param name="Input">Name of the ONNX value the module reads.</param>
/// <param name="InputShape">Shape of one input sample (batch axis excluded), measured by running the module in TorchSharp.</param>
/// <param name="OutputShape">Shape of one output sample (batch axis excluded), measured the same way.</param>
/// <param name="OutputName">Name its last node must write (a graph output), or null for a fresh name.</param>
public sealed record LayerContext(string Path, string Input, int[] InputShape, int[] OutputShape, string? OutputName)
{
    /// <summary>Rank of the input tensor, batch axis included (2 for [batch, features]).</summary>
    public int InputRank => InputShape.Length + 1;

    /// <summary>Initializer name for a parameter of this module, e.g. <c>encoder.0.weight</c>.</summary>
    public string Parameter(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    /// <summary>Stops the export: this module's configuration cannot be expressed (the reason says why).</summary>
    public UnsupportedModuleException Unsupported(Type moduleType, string reason) => new(Path, moduleType, reason);
}
