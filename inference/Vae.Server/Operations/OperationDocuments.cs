namespace Vae.Server.Operations;

// Request and response bodies of the VAE operations (POST /vae/models/{name}/...). Values are in the model's input
// space: what its encoder takes (for MNIST models, pixels / 255). Property names are written in snake_case.

/// <summary>Draws samples from the prior and decodes them.</summary>
public sealed record GenerateRequest
{
    /// <summary>Samples to draw, 1 to the server's rows per request (default 1).</summary>
    public int Count { get; init; } = 1;
    /// <summary>Seed of z ~ N(0, temperature² I): the same seed gives the same samples (default 0).</summary>
    public long Seed { get; init; }
    /// <summary>Scale of z: 1 samples the prior, lower values give more typical samples (default 1).</summary>
    public float Temperature { get; init; } = 1f;
    /// <summary>Conditional models: the class of every sample; absent: classes 0, 1, 2, … in turn. Refused for other models.</summary>
    public int? Class { get; init; }
    /// <summary>json (default) or png: one picture of the samples in a grid (image models).</summary>
    public string Format { get; init; } = "json";
    /// <summary>Grid columns of a png answer (default: up to 10).</summary>
    public int? Columns { get; init; }
}

/// <summary>Rows to reconstruct (decode the posterior mean of each) or denoise (reconstruct, repeated).</summary>
public sealed record RowsRequest
{
    /// <summary>The samples, one flat array of the model's input size per row.</summary>
    public float[][] X { get; init; } = [];
    /// <summary>Conditional models: one class per row.</summary>
    public int[]? Labels { get; init; }
    /// <summary>Denoise: encode/decode passes, each pulling further towards the training data (default 1; ignored by reconstruct).</summary>
    public int Iterations { get; init; } = 1;
    /// <summary>json (default) or png.</summary>
    public string Format { get; init; } = "json";
    /// <summary>Grid columns of a png answer.</summary>
    public int? Columns { get; init; }
}

/// <summary>Rows with missing values to fill in.</summary>
public sealed record ImputeRequest
{
    /// <summary>The samples; null marks a missing value.</summary>
    public float?[][] X { get; init; } = [];
    /// <summary>The mask: true where a value is known (observed), false where it is missing; absent: the nulls of x are the missing values.</summary>
    public bool[][]? Observed { get; init; }
    /// <summary>Reconstruct-and-replace passes (default 10).</summary>
    public int Iterations { get; init; } = 10;
    /// <summary>Conditional models: one class per row.</summary>
    public int[]? Labels { get; init; }
    /// <summary>json (default) or png.</summary>
    public string Format { get; init; } = "json";
    /// <summary>Grid columns of a png answer.</summary>
    public int? Columns { get; init; }
}

/// <summary>Pairs of samples to interpolate between in latent space.</summary>
public sealed record InterpolateRequest
{
    /// <summary>Start of each path (one row per pair).</summary>
    public float[][] From { get; init; } = [];
    /// <summary>End of each path (as many rows as from).</summary>
    public float[][] To { get; init; } = [];
    /// <summary>Points per path, both ends included (default 8, at least 2).</summary>
    public int Steps { get; init; } = 8;
    /// <summary>linear (default) or spherical (slerp: keeps the norm typical of prior samples).</summary>
    public string Kind { get; init; } = "linear";
    /// <summary>Conditional models: one class per pair.</summary>
    public int[]? Labels { get; init; }
    /// <summary>json (default) or png (one row of the grid per path).</summary>
    public string Format { get; init; } = "json";
}

/// <summary>Rows to score: how unusual each one is under the model.</summary>
public sealed record ScoreRequest
{
    /// <summary>The samples.</summary>
    public float[][] X { get; init; } = [];
    /// <summary>Draws z ~ q(z|x) per row for the reconstruction term and the importance-weighted −log p(x) (default 1).</summary>
    public int Samples { get; init; } = 1;
    /// <summary>Seed of the draws (default 0).</summary>
    public long Seed { get; init; }
    /// <summary>Conditional models: one class per row.</summary>
    public int[]? Labels { get; init; }
}

/// <summary>Rows in the model's input space.</summary>
/// <param name="Model">The model folder's name.</param>
/// <param name="SampleShape">The shape of one row (the model's input shape, e.g. [784] or [1, 28, 28]); each row is that shape flattened.</param>
/// <param name="Rows">The values, one flat array per row.</param>
public sealed record RowsResponse(string Model, int[] SampleShape, float[][] Rows);

/// <summary>The anomaly scores of one row, in nats (higher is more unusual), as <c>vae score</c> writes them.</summary>
/// <param name="Nll">Importance-weighted estimate of −log p(x) (IWAE bound; equals neg_elbo for 1 sample).</param>
/// <param name="NegElbo">−ELBO = reconstruction + kl, an upper bound on −log p(x).</param>
/// <param name="Reconstruction">−log p(x|z) averaged over the draws.</param>
/// <param name="Kl">KL(q(z|x) ‖ N(0, I)).</param>
/// <param name="SquaredError">Σ (x − x̂)² with x̂ the decoded posterior mean.</param>
public sealed record RowScore(float Nll, float NegElbo, float Reconstruction, float Kl, float SquaredError);

/// <summary>One score per row.</summary>
public sealed record ScoreResponse(string Model, int Samples, RowScore[] Scores);
