namespace Vae.Training.Onnx;

/// <summary>The module tree holds a module the exporter has no converter for. Nothing was written.</summary>
public sealed class UnsupportedModuleException(string path, Type moduleType)
    : Exception($"{path}: {moduleType.Name} is not supported by the ONNX exporter. Register a converter with {nameof(OnnxLayerRegistry)}.{nameof(OnnxLayerRegistry.Register)}<{moduleType.Name}>(...); see README, 'Exporting any TorchSharp model'.")
{
    /// <summary>Dotted path of the module in the tree, e.g. <c>encoder.3</c>.</summary>
    public string ModulePath { get; } = path;

    /// <summary>The unsupported module's type.</summary>
    public Type ModuleType { get; } = moduleType;
}

/// <summary>Export verification failed: ONNX Runtime and TorchSharp disagree beyond the tolerance. Nothing was written.</summary>
public sealed class OnnxVerificationException(string message) : Exception(message);
