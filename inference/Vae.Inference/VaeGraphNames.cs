namespace Vae.Inference;

/// <summary>
/// The tensor names of an exported pair, written by the exporter and fetched by <see cref="VaeModel"/>:
/// encoder <see cref="X"/> (+ <see cref="Y"/>) → <see cref="Mean"/>, <see cref="Logvar"/>; decoder <see cref="Z"/>
/// (+ <see cref="Y"/>) → <see cref="Logits"/> (Bernoulli, optionally with <see cref="Probs"/>) or <see cref="Mean"/>
/// (Gaussian, with <see cref="Logvar"/> when the variance is learned). The metadata keys are <see cref="VaeMetadata"/>'s.
/// </summary>
public static class VaeGraphNames
{
    /// <summary>Encoder input: a batch of samples [batch, ...InputShape].</summary>
    public const string X = "x";

    /// <summary>Conditional models, both graphs: the one-hot class [batch, Classes].</summary>
    public const string Y = "y";

    /// <summary>Decoder input: latent codes [batch, LatentSize].</summary>
    public const string Z = "z";

    /// <summary>Encoder output: the posterior mean [batch, LatentSize]; a Gaussian decoder's output [batch, ...InputShape].</summary>
    public const string Mean = "mean";

    /// <summary>Encoder output: the posterior log-variance [batch, LatentSize]; a learned-variance Gaussian decoder's
    /// second output [batch, ...InputShape].</summary>
    public const string Logvar = "logvar";

    /// <summary>A Bernoulli decoder's output: the logits [batch, ...InputShape].</summary>
    public const string Logits = "logits";

    /// <summary>
    /// Optional second output of a Bernoulli decoder: σ(logits), the probabilities
    /// <see cref="VaeModel.Decode(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{int})"/> returns. When present, Decode
    /// fetches it and ONNX Runtime computes the sigmoid inside the run; pairs exported without it get the sigmoid in
    /// managed code. Likelihoods always use <see cref="Logits"/> (exact where a probability rounds to 0 or 1).
    /// </summary>
    public const string Probs = "probs";

    /// <summary>The decoder's first output for a likelihood: <see cref="Logits"/> or <see cref="Mean"/>.</summary>
    public static string DecoderOutput(OutputKind kind) => kind == OutputKind.Logits ? Logits : Mean;
}
