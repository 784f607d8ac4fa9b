using Vae.Inference;

namespace Vae.Server.Models;

/// <summary>
/// One exported model folder as served: the pair for the VAE operations and its two graphs as the OIP models
/// <c>NAME_encoder</c> and <c>NAME_decoder</c>. Owns all three; dispose it when no call is in flight.
/// </summary>
public sealed class ServedPair : IDisposable
{
    /// <summary>Suffixes of the two OIP model names, as the Triton repository of <c>vae triton</c> names them too.</summary>
    public const string EncoderSuffix = "_encoder", DecoderSuffix = "_decoder";

    private ServedPair(string name, string folder, VaeModel vae, GraphModel encoder, GraphModel decoder)
    {
        Name = name;
        Folder = folder;
        Vae = vae;
        Encoder = encoder;
        Decoder = decoder;
    }

    /// <summary>The folder's name, which the VAE operations' routes use.</summary>
    public string Name { get; }

    /// <summary>The folder the pair was loaded from.</summary>
    public string Folder { get; }

    /// <summary>The pair, for the VAE operations.</summary>
    public VaeModel Vae { get; }

    /// <summary>The encoder graph (x → mean, logvar), OIP model NAME_encoder.</summary>
    public GraphModel Encoder { get; }

    /// <summary>The decoder graph (z → its exported outputs), OIP model NAME_decoder.</summary>
    public GraphModel Decoder { get; }

    /// <summary>Loads the pair in <paramref name="folder"/> (checked as <see cref="VaeModel.Load(string, VaeSessionOptions?)"/> checks it) and opens its graphs. The caller owns the result.</summary>
    /// <exception cref="VaeModelException">A file is missing, corrupt, or the two do not fit together.</exception>
    /// <exception cref="ExecutionProviderException">The provider cannot be used.</exception>
    public static ServedPair Load(string name, string folder, VaeSessionOptions options)
    {
        VaeModel vae = VaeModel.Load(folder, options);
        GraphModel? encoder = null;
        try
        {
            encoder = GraphModel.Open(name + EncoderSuffix, Path.Combine(folder, VaeModel.EncoderFile), options, vae.Provider);
            GraphModel decoder = GraphModel.Open(name + DecoderSuffix, Path.Combine(folder, VaeModel.DecoderFile), options, vae.Provider);
            return new ServedPair(name, folder, vae, encoder, decoder);
        }
        catch
        {
            encoder?.Dispose();
            vae.Dispose();
            throw;
        }
    }

    /// <summary>Releases the pair and both graphs.</summary>
    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
        Vae.Dispose();
    }
}
