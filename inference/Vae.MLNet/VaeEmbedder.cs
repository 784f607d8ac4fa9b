using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// Turns batches of input rows into output values of one <see cref="VaeEmbeddingKind"/>. Immutable and thread-safe;
/// every caller brings its own <see cref="EmbeddingBatch"/> buffers.
/// </summary>
internal sealed class VaeEmbedder
{
    /// <param name="labelColumnName">The column of class labels: required for conditional models, null for the others.</param>
    /// <exception cref="ArgumentException">A conditional model without a label column, or an unconditional one with one.</exception>
    /// <param name="inputColumnName">The column the inputs come from (for error messages).</param>
    /// <param name="normalizeInput">Apply the model's recorded input normalisation to each batch first.</param>
    /// <exception cref="ArgumentException">Also: <paramref name="normalizeInput"/> for a model without a recorded normalisation.</exception>
    public VaeEmbedder(VaeModel model, VaeEmbeddingKind kind, int seed, string? labelColumnName, string inputColumnName, bool normalizeInput = false)
    {
        if (normalizeInput && model.Info.Normalization is null)
            throw new ArgumentException($"{nameof(VaeEmbeddingOptions.NormalizeInput)} is true but the model records no input normalisation " +
                                        "(it was exported before models carried one, or trained on data built by hand); give the column normalised and leave it false.", nameof(normalizeInput));
        Normalization = normalizeInput ? model.Info.Normalization : null;
        int classes = model.Info.Classes;
        if (classes > 0 && labelColumnName is null)
            throw new ArgumentException($"the model is conditional ({classes} classes): set {nameof(VaeEmbeddingOptions.LabelColumnName)} to the column holding each row's class index (0 to {classes - 1}).", nameof(labelColumnName));
        if (classes == 0 && labelColumnName is not null)
            throw new ArgumentException($"{nameof(VaeEmbeddingOptions.LabelColumnName)} is '{labelColumnName}' but the model is unconditional (classes 0); leave it null.", nameof(labelColumnName));
        Model = model;
        InputColumnName = inputColumnName;
        Kind = kind;
        Seed = seed;
        OutputSize = kind switch
        {
            VaeEmbeddingKind.MeanAndLogVar => 2 * model.LatentSize,
            VaeEmbeddingKind.ReconstructionError => 1,
            _ => model.LatentSize,
        };
    }

    public VaeModel Model { get; }
    public string InputColumnName { get; }
    public VaeEmbeddingKind Kind { get; }
    public int Seed { get; }
    public int InputSize => Model.InputSize;

    /// <summary>The normalisation applied to each batch of raw inputs before encoding, or null (inputs as they are).</summary>
    public InputNormalization? Normalization { get; }

    /// <summary>Classes of a conditional model (each row needs a label), 0 otherwise.</summary>
    public int Classes => Model.Info.Classes;

    /// <summary>Values written per row.</summary>
    public int OutputSize { get; }

    /// <summary>Fills <c>batch.Outputs</c> for the first <paramref name="rows"/> rows of <c>batch.Inputs</c> (with <c>batch.Labels</c> for
    /// conditional models and <c>batch.Ids</c> for Sample).</summary>
    /// <exception cref="InvalidOperationException">An input value is NaN or ±Infinity and the model refuses them: the message
    /// names the row's position, the column and the value's index in the row (the model's own check, which costs nothing
    /// extra, names an index into the whole batch).</exception>
    public void Run(EmbeddingBatch batch, int rows)
    {
        // in place: Inputs is the batch's own copy of the column's values
        Normalization?.Apply(batch.Inputs.AsSpan(0, rows * InputSize), batch.Inputs.AsSpan(0, rows * InputSize), InputSize);
        try
        {
            RunModel(batch, rows);
        }
        catch (ArgumentException e) when (!Model.Options.AllowNonFinite)
        {
            ReadOnlySpan<float> x = batch.Inputs.AsSpan(0, rows * InputSize);
            for (int i = 0; i < x.Length; i++)
                if (!float.IsFinite(x[i]))
                    throw new InvalidOperationException($"row {batch.Positions[i / InputSize]}: input column '{InputColumnName}' holds {x[i]} at value {i % InputSize}; " +
                                                        $"expected finite values (set {nameof(VaeSessionOptions)}.{nameof(VaeSessionOptions.AllowNonFinite)} to pass NaN/Infinity through).", e);
            throw;
        }
    }

    private void RunModel(EmbeddingBatch batch, int rows)
    {
        int latent = Model.LatentSize;
        Span<float> mean = batch.Mean.AsSpan(0, rows * latent), logvar = batch.Logvar.AsSpan(0, rows * latent);
        ReadOnlySpan<float> x = batch.Inputs.AsSpan(0, rows * InputSize);
        Span<float> output = batch.Outputs.AsSpan(0, rows * OutputSize);
        ReadOnlySpan<int> labels = Classes > 0 ? batch.Labels.AsSpan(0, rows) : default;
        if (Kind == VaeEmbeddingKind.ReconstructionError)
        {
            Model.ReconstructionError(x, output, labels);
            return;
        }
        Model.Encode(x, mean, logvar, labels);
        switch (Kind)
        {
            case VaeEmbeddingKind.Mean:
                mean.CopyTo(output);
                break;
            case VaeEmbeddingKind.MeanAndLogVar:
                for (int r = 0; r < rows; r++)
                {
                    mean.Slice(r * latent, latent).CopyTo(output.Slice(r * 2 * latent, latent));
                    logvar.Slice(r * latent, latent).CopyTo(output.Slice(r * 2 * latent + latent, latent));
                }
                break;
            case VaeEmbeddingKind.Sample:
                for (int r = 0; r < rows; r++)
                    LatentNoise.Reparameterize(mean.Slice(r * latent, latent), logvar.Slice(r * latent, latent), Seed, batch.Ids[r], output.Slice(r * latent, latent));
                break;
        }
    }
}

/// <summary>Buffers for up to <see cref="Capacity"/> rows of one <see cref="VaeEmbedder"/>. Not thread-safe: one per cursor or row.</summary>
internal sealed class EmbeddingBatch
{
    public EmbeddingBatch(VaeEmbedder embedder, int capacity)
    {
        Capacity = capacity;
        int latent = embedder.Model.LatentSize;
        Inputs = new float[capacity * embedder.InputSize];
        Outputs = new float[capacity * embedder.OutputSize];
        Mean = new float[capacity * latent];
        Logvar = new float[capacity * latent];
        Ids = new DataViewRowId[embedder.Kind == VaeEmbeddingKind.Sample ? capacity : 0];
        Labels = new int[embedder.Classes > 0 ? capacity : 0];
        Positions = new long[capacity];
    }

    public int Capacity { get; }
    public float[] Inputs { get; }
    public float[] Outputs { get; }
    public float[] Mean { get; }
    public float[] Logvar { get; }
    public DataViewRowId[] Ids { get; }

    /// <summary>Class index per row (conditional models; empty otherwise).</summary>
    public int[] Labels { get; }

    /// <summary>Each row's position in its data view (for error messages).</summary>
    public long[] Positions { get; }
}
