namespace Vae.Training.Onnx;

/// <summary>The module tree holds a module (or a module setting) the exporter cannot convert. Nothing was written.</summary>
public sealed class UnsupportedModuleException : Exception
{
    /// <summary>A module type without a registered converter.</summary>
    public UnsupportedModuleException(string path, Type moduleType)
        : base($"{Display(path)}: {moduleType.Name} is not supported by the ONNX exporter. Register a converter with {nameof(OnnxLayerRegistry)}.{nameof(OnnxLayerRegistry.Register)}<{moduleType.Name}>(...); see README, 'Exporting any TorchSharp model'.")
    {
        ModulePath = path;
        ModuleType = moduleType;
    }

    /// <summary>A supported module type used with a setting its converter cannot express.</summary>
    public UnsupportedModuleException(string path, Type moduleType, string reason)
        : base($"{Display(path)}: {moduleType.Name} is not supported by the ONNX exporter with this setting: {reason}")
    {
        ModulePath = path;
        ModuleType = moduleType;
    }

    /// <summary>Dotted path of the module in the tree, e.g. <c>encoder.body.3</c> (empty for the root).</summary>
    public string ModulePath { get; }

    /// <summary>The unsupported module's type.</summary>
    public Type ModuleType { get; }

    private static string Display(string path) => path.Length == 0 ? "(root)" : path;
}

/// <summary>Export verification failed: ONNX Runtime and TorchSharp disagree beyond the tolerance. Nothing was written.</summary>
public sealed class OnnxVerificationException(string message) : Exception(message);
