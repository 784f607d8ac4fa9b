namespace Vae.Inference;

/// <summary>A model file is missing, corrupt, or does not fit its partner.</summary>
public sealed class VaeModelException : Exception
{
    public VaeModelException(string message) : base(message) { }
    public VaeModelException(string message, Exception inner) : base(message, inner) { }
}
