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
            case VaeEmbeddingKind.ReconstructionError:
                Span<float> reconstruction = batch.Reconstruction.AsSpan(0, rows * InputSize);
                Model.Decode(mean, reconstruction);
                bool bernoulli = Model.Info.OutputKind == OutputKind.Logits;
                for (int r = 0; r < rows; r++)
                    output[r] = ReconstructionError(x.Slice(r * InputSize, InputSize), reconstruction.Slice(r * InputSize, InputSize), bernoulli);
                break;
        }
    }

    /// <summary>
    /// Summed binary cross-entropy of <paramref name="x"/> under probabilities <paramref name="p"/> (clamped to
    /// [1e-7, 1 − 1e-7] so a saturated pixel costs at most ~16 nats), or the summed squared error for Gaussian models.
    /// </summary>
    internal static float ReconstructionError(ReadOnlySpan<float> x, ReadOnlySpan<float> p, bool bernoulli)
    {
        double sum = 0;
        if (bernoulli)
        {
            const double eps = 1e-7;
            for (int i = 0; i < x.Length; i++)
            {
                double q = Math.Clamp(p[i], eps, 1 - eps);
                sum -= x[i] * Math.Log(q) + (1 - x[i]) * Math.Log(1 - q);
            }
        }
        else
        {
            for (int i = 0; i < x.Length; i++) sum += (x[i] - (double)p[i]) * (x[i] - p[i]);
        }
        return (float)sum;
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
        Reconstruction = embedder.Kind == VaeEmbeddingKind.ReconstructionError ? new float[capacity * embedder.InputSize] : [];
    }

    public int Capacity { get; }
    public float[] Inputs { get; }
    public float[] Outputs { get; }
    public float[] Mean { get; }
    public float[] Logvar { get; }
    public DataViewRowId[] Ids { get; }
    public float[] Reconstruction { get; }
}
