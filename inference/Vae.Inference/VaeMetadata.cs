using System.Globalization;

namespace Vae.Inference;

/// <summary>
/// The ONNX <c>metadata_props</c> keys written by the exporter and read by <see cref="VaeModel"/> (the tensor names are <see cref="VaeGraphNames"/>'s).
/// Both graphs of a pair carry the same facts, plus <see cref="Graph"/> saying which one it is.
/// </summary>
public static class VaeMetadata
{
    /// <summary>Current format version; a pair with another version is refused.</summary>
    public const int CurrentFormatVersion = 1;

    public const string FormatVersion = "vae.format_version";
    public const string Graph = "vae.graph";
    public const string ModelKind = "vae.model_kind";
    public const string InputShape = "vae.input_shape";
    public const string ImageShape = "vae.image_shape";
    public const string LatentSize = "vae.latent_size";
    public const string Likelihood = "vae.likelihood";
    public const string OutputKind = "vae.output_kind";
    public const string PixelScaling = "vae.pixel_scaling";
    public const string Classes = "vae.classes";
    public const string Producer = "vae.producer";
    public const string Training = "vae.training";
    /// <summary>Optional: σ of a Gaussian decoder's likelihood N(mean, σ²I); 1 when absent.</summary>
    public const string GaussianSigma = "vae.gaussian_sigma";

    /// <summary>
    /// Optional: the identity of one export, the same in both graphs of the pair (and in model.json); a loader refuses an
    /// encoder and a decoder whose identities differ (graphs of two exports with the same shapes, or one file replaced).
    /// Pairs exported before it was written have it in neither graph and still load.
    /// </summary>
    public const string PairId = "vae.pair_id";

    /// <summary>Hierarchical models: the latent sizes of the stochastic layers from the data up ("100,50"); the pair works on the last.</summary>
    public const string Layers = "vae.layers";

    /// <summary>Hierarchical models: the prior of the top layer, <c>standard_normal</c> or <c>vamp</c> (then <see cref="VaeHierarchy.PriorFile"/> holds it).</summary>
    public const string Prior = "vae.prior";

    /// <summary>Optional: the <see cref="Inference.InputNormalization"/> of the training data, as its JSON.</summary>
    public const string InputNormalization = "vae.input_normalization";

    /// <summary>Optional: <see cref="AutoencoderObjective"/> for a deterministic autoencoder (trained without sampling or KL:
    /// its logvar output is a constant point mass and its codes follow no prior); absent for a VAE.</summary>
    public const string Objective = "vae.objective";

    /// <summary>The value of <see cref="Objective"/> for a deterministic autoencoder.</summary>
    public const string AutoencoderObjective = "autoencoder";

    /// <summary>Formats a shape as metadata ("1,28,28").</summary>
    public static string FormatShape(IEnumerable<int> shape) => string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Parses a shape written by <see cref="FormatShape"/>: one or more positive dimensions separated by commas.</summary>
    /// <exception cref="FormatException">The text is empty or blank, or a dimension is missing ("1,,28"), not an integer, or not positive.</exception>
    /// <exception cref="OverflowException">A dimension is beyond Int32.</exception>
    public static int[] ParseShape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // no RemoveEmptyEntries: it read "" as the shape [] (one value per sample) and "1,,28" as [1, 28]
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0) throw new FormatException($"dimension {i + 1} of '{text}' is empty; expected a positive integer.");
            shape[i] = int.Parse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (shape[i] <= 0) throw new FormatException($"dimension {i + 1} of '{text}' is {shape[i]}; expected a positive integer.");
        }
        return shape;
    }
}
