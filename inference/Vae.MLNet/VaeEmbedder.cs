using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.MLNet;

/// <summary>
/// Turns batches of input rows into output values of one <see cref="VaeEmbeddingKind"/>. Immutable and thread-safe;
/// every caller brings its own <see cref="EmbeddingBatch"/> buffers.
/// </summary>
internal sealed class VaeEmbedder
{
    /// <exception cref="ArgumentException">The model is conditional: its encoder needs a class label per row.</exception>
    public VaeEmbedder(VaeModel model, VaeEmbeddingKind kind, int seed)
    {
        if (model.Info.Classes > 0)
            throw new ArgumentException($"the model is conditional ({model.Info.Classes} classes); the ML.NET step encodes unconditional models only (expected classes 0).", nameof(model));
        Model = model;
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
    public VaeEmbeddingKind Kind { get; }
    public int Seed { get; }
    public int InputSize => Model.InputSize;

    /// <summary>Values written per row.</summary>
    public int OutputSize { get; }

    /// <summary>Fills <c>batch.Outputs</c> for the first <paramref name="rows"/> rows of <c>batch.Inputs</c> (and <c>batch.Ids</c> for Sample).</summary>
    public void Run(EmbeddingBatch batch, int rows)
    {
        int latent = Model.LatentSize;
        Span<float> mean = batch.Mean.AsSpan(0, rows * latent), logvar = batch.Logvar.AsSpan(0, rows * latent);
        ReadOnlySpan<float> x = batch.Inputs.AsSpan(0, rows * InputSize);
        Span<float> output = batch.Outputs.AsSpan(0, rows * OutputSize);
        if (Kind == VaeEmbeddingKind.ReconstructionError)
        {
            Model.ReconstructionError(x, output);
            return;
        }
        Model.Encode(x, mean, logvar);
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
    }

    public int Capacity { get; }
    public float[] Inputs { get; }
    public float[] Outputs { get; }
    public float[] Mean { get; }
    public float[] Logvar { get; }
    public DataViewRowId[] Ids { get; }
}
