using System.Globalization;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>How <see cref="InputCorruption"/> corrupts the encoder's input.</summary>
public enum CorruptionKind
{
    /// <summary>Additive Gaussian noise x + σ·ε, ε ~ N(0, 1), clipped to [0, 1] for a Bernoulli model's data.</summary>
    Gaussian,
    /// <summary>Masking noise: each value set to 0 with probability p (Vincent et al., 2008).</summary>
    Masking,
    /// <summary>Salt-and-pepper noise: each value set to 0 or 1 (even odds) with probability p.</summary>
    SaltPepper,
}

/// <summary>
/// The corruption of a denoising autoencoder (Vincent et al., 2008; Im et al., 2017 for VAEs): the encoder reads a corrupted
/// x̃ ~ C(x̃|x), drawn afresh for every batch from the trainer's seeded generator, and the reconstruction term scores the
/// decoder against the clean x — the model learns to map damaged inputs back to clean ones. Written <c>gaussian:σ</c>,
/// <c>masking:p</c> or <c>salt-pepper:p</c> (<c>vae train --denoise</c>).
/// </summary>
/// <param name="Kind">What is done to the values.</param>
/// <param name="Level">σ (Gaussian, &gt; 0) or the probability p per value (masking, salt-and-pepper, in (0, 1)).</param>
public sealed record InputCorruption(
    [property: JsonPropertyName("kind")] CorruptionKind Kind,
    [property: JsonPropertyName("level")] double Level)
{
    /// <summary>Reads <c>gaussian:σ</c>, <c>masking:p</c> or <c>salt-pepper:p</c>.</summary>
    /// <param name="option">The option's name, for the error message.</param>
    /// <exception cref="ArgumentException">Another form, or a level out of range.</exception>
    public static InputCorruption Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().ToLowerInvariant().Split(':');
        CorruptionKind? kind = parts[0] switch
        {
            "gaussian" => CorruptionKind.Gaussian,
            "masking" => CorruptionKind.Masking,
            "salt-pepper" => CorruptionKind.SaltPepper,
            _ => null,
        };
        if (kind is null || parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double level))
            throw new ArgumentException($"{option} is '{text}'; expected gaussian:σ, masking:p or salt-pepper:p, e.g. gaussian:0.3.", option);
        try
        {
            return new InputCorruption(kind.Value, level).Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{option} is '{text}': {e.Message}", option, e);
        }
    }

    /// <summary>Checks the level; throws <see cref="ArgumentException"/> saying what it must be.</summary>
    public InputCorruption Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"{nameof(InputCorruption)}.{nameof(Kind)} is {(int)Kind}; expected gaussian, masking or salt-pepper.", nameof(Kind));
        bool ok = Kind == CorruptionKind.Gaussian ? Level > 0 && double.IsFinite(Level) : Level > 0 && Level < 1;
        if (!ok)
            throw new ArgumentException($"{nameof(InputCorruption)}.{nameof(Level)} is {Level.ToString(CultureInfo.InvariantCulture)}; expected " +
                                        (Kind == CorruptionKind.Gaussian ? "a finite σ > 0." : "a probability p with 0 < p < 1."), nameof(Level));
        return this;
    }

    /// <summary>The corruption as <see cref="Parse"/> reads it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind switch
    {
        CorruptionKind.Gaussian => "gaussian",
        CorruptionKind.Masking => "masking",
        _ => "salt-pepper",
    }}:{Level}");

    /// <summary>x̃ for the batch <paramref name="x"/>, drawn from <paramref name="generator"/>; <paramref name="unitInterval"/>
    /// clips Gaussian noise to [0, 1] (data of a Bernoulli model). The result belongs to the caller's dispose scope.</summary>
    public Tensor Apply(Tensor x, Generator generator, bool unitInterval)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(generator);
        switch (Kind)
        {
            case CorruptionKind.Gaussian:
                Tensor noisy = x + Level * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
                return unitInterval ? noisy.clamp(0, 1) : noisy;
            case CorruptionKind.Masking:
                return x * rand(x.shape, dtype: x.dtype, device: x.device, generator: generator).ge(Level).to_type(x.dtype);
            default:
                Tensor hit = rand(x.shape, dtype: x.dtype, device: x.device, generator: generator).lt(Level);
                Tensor salt = rand(x.shape, dtype: x.dtype, device: x.device, generator: generator).lt(0.5).to_type(x.dtype);
                return where(hit, salt, x);
        }
    }
}
