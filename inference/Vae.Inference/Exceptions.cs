namespace Vae.Inference;

/// <summary>A model file is missing, corrupt, or does not fit its partner.</summary>
public sealed class VaeModelException : Exception
{
    public VaeModelException(string message) : base(message) { }
    public VaeModelException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>ONNX Runtime failed while running a loaded graph (for example out of device memory).</summary>
public sealed class VaeInferenceException : Exception
{
    public VaeInferenceException(string message) : base(message) { }
}

/// <summary>
/// A requested execution provider cannot be used: <see cref="Exception.Message"/> names the provider, what is
/// missing (NuGet package, native library, driver) and how to get it.
/// </summary>
public sealed class ExecutionProviderException : Exception
{
    public ExecutionProviderException(ExecutionProvider provider, string message, Exception? inner = null) : base(message, inner) => Provider = provider;

    /// <summary>The provider that was asked for.</summary>
    public ExecutionProvider Provider { get; }
}
