using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vae.Inference;
using Vae.Server.Hosting;
using Vae.Server.Models;
using Vae.Server.Oip;

namespace Vae.Server.Operations;

/// <summary>
/// The VAE operations that the two graphs alone do not give, on each model folder NAME: generate, reconstruct, denoise,
/// impute, interpolate and anomaly score, answered as JSON rows or (image models) one PNG grid.
/// </summary>
internal static class VaeEndpoints
{
    private const string Json = "json", Png = "png";

    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder vae = app.MapGroup("/vae/models/{name}").WithTags("VAE operations");
        Describe(vae.MapPost("/generate", Generate), "generate", "Decode samples z ~ N(0, temperature² I), reproducible from the seed.");
        Describe(vae.MapPost("/reconstruct", Reconstruct), "reconstruct", "Decode the posterior mean of each row: what the model makes of it.");
        Describe(vae.MapPost("/denoise", Denoise), "denoise", "Reconstruct each row, then the result again (iterations passes): pulls noisy rows towards the training data.");
        Describe(vae.MapPost("/impute", Impute), "impute", "Fill in missing values (null in x, or false in the observed mask): start at the row's mean, then reconstruct and replace the missing values, iterations times.");
        Describe(vae.MapPost("/interpolate", Interpolate), "interpolate", "Encode each from/to pair, take steps points between the codes (linear or spherical) and decode them.");
        vae.MapPost("/score", Score).WithName("score")
            .WithSummary("Anomaly scores of each row (nats; higher is more unusual): −log p(x) (IWAE), −ELBO, reconstruction, KL, squared error, as 'vae score' writes them.")
            .Produces<ScoreResponse>().Produces<ErrorResponse>(StatusCodes.Status400BadRequest).Produces<ErrorResponse>(StatusCodes.Status404NotFound);
    }

    private static void Describe(RouteHandlerBuilder endpoint, string name, string summary) => endpoint.WithName(name).WithSummary(summary)
        .WithDescription("Values are in the model's input space (what its encoder takes). format png answers one image/png grid of the rows (image models).")
        .Produces<RowsResponse>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status200OK, contentType: "image/png")
        .Produces<ErrorResponse>(StatusCodes.Status400BadRequest).Produces<ErrorResponse>(StatusCodes.Status404NotFound)
        .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge).Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);

    private static IResult Generate(string name, GenerateRequest request, ModelRepository repository, ServerOptions options)
    {
        ServedPair pair = repository.Pair(name);
        VaeModel vae = pair.Vae;
        CheckFormat(request.Format);
        int count = CheckRows(request.Count, options, "count");
        int[] labels;
        if (vae.Classes == 0)
            labels = request.Class is null ? [] : throw ProtocolException.BadRequest($"class is {request.Class}, but model '{name}' is not conditional; leave class out.");
        else
            labels = Enumerable.Range(0, count).Select(i => request.Class ?? i % vae.Classes).ToArray();
        var output = new float[count * vae.InputSize];
        Client(() => vae.Generate(output, request.Seed, request.Temperature, labels));
        return Answer(pair, output, count, request.Format, request.Columns ?? Math.Min(count, 10));
    }

    private static IResult Reconstruct(string name, RowsRequest request, ModelRepository repository, ServerOptions options)
    {
        ServedPair pair = repository.Pair(name);
        CheckFormat(request.Format);
        float[] x = Flatten(request.X, pair, options, "x");
        var output = new float[x.Length];
        Client(() => pair.Vae.Reconstruct(x, output, request.Labels));
        return Answer(pair, output, request.X.Length, request.Format, request.Columns ?? Math.Min(request.X.Length, 10));
    }

    private static IResult Denoise(string name, RowsRequest request, ModelRepository repository, ServerOptions options)
    {
        ServedPair pair = repository.Pair(name);
        CheckFormat(request.Format);
        CheckIterations(request.Iterations, options);
        float[] x = Flatten(request.X, pair, options, "x");
        var output = new float[x.Length];
        Client(() => pair.Vae.Denoise(x, output, request.Iterations, request.Labels));
        return Answer(pair, output, request.X.Length, request.Format, request.Columns ?? Math.Min(request.X.Length, 10));
    }

    private static IResult Impute(string name, ImputeRequest request, ModelRepository repository, ServerOptions options)
    {
        ServedPair pair = repository.Pair(name);
        CheckFormat(request.Format);
        CheckIterations(request.Iterations, options);
        int size = pair.Vae.InputSize, rows = CheckRows(request.X.Length, options, "x");
        if (request.Observed is not null && request.Observed.Length != rows)
            throw ProtocolException.BadRequest($"observed has {request.Observed.Length} rows; x has {rows} (one mask row per row of x).");
        var x = new float[rows * size];
        var observed = new bool[rows * size];
        for (int r = 0; r < rows; r++)
        {
            float?[] row = CheckRow(request.X[r], size, pair, $"x[{r}]");
            bool[]? mask = request.Observed?[r];
            if (mask is not null && mask.Length != size) throw ProtocolException.BadRequest($"observed[{r}] holds {mask.Length} flags; expected {size}, one per value of x[{r}].");
            for (int i = 0; i < size; i++)
            {
                bool known = mask?[i] ?? row[i].HasValue;
                if (known && !row[i].HasValue) throw ProtocolException.BadRequest($"x[{r}][{i}] is null but observed[{r}][{i}] is true; give the value or mark it missing.");
                observed[r * size + i] = known;
                x[r * size + i] = known ? row[i]!.Value : float.NaN;
            }
        }
        var output = new float[x.Length];
        Client(() => pair.Vae.Impute(x, observed, output, request.Iterations, request.Labels));
        return Answer(pair, output, rows, request.Format, request.Columns ?? Math.Min(rows, 10));
    }

    private static IResult Interpolate(string name, InterpolateRequest request, ModelRepository repository, ServerOptions options)
    {
        ServedPair pair = repository.Pair(name);
        CheckFormat(request.Format);
        Interpolation kind = request.Kind switch
        {
            "linear" => Interpolation.Linear,
            "spherical" => Interpolation.Spherical,
            _ => throw ProtocolException.BadRequest($"kind is '{request.Kind}'; expected linear or spherical."),
        };
        if (request.Steps < 2) throw ProtocolException.BadRequest($"steps is {request.Steps}; expected at least 2 (both ends).");
        if (request.To.Length != request.From.Length) throw ProtocolException.BadRequest($"to has {request.To.Length} rows; from has {request.From.Length} (one pair per row).");
        CheckRows((long)request.From.Length * request.Steps, options, "from rows × steps");
        float[] from = Flatten(request.From, pair, options, "from"), to = Flatten(request.To, pair, options, "to");
        var output = new float[request.From.Length * request.Steps * pair.Vae.InputSize];
        Client(() => pair.Vae.Interpolate(from, to, request.Steps, output, kind, request.Labels));
        return Answer(pair, output, request.From.Length * request.Steps, request.Format, request.Steps);
    }

    private static IResult Score(string name, ScoreRequest request, ModelRepository repository, ServerOptions options)
    {
        ServedPair pair = repository.Pair(name);
        if (request.Samples < 1 || request.Samples > VaeModel.MaxAnomalySamples)
            throw ProtocolException.BadRequest($"samples is {request.Samples}; expected 1 to {VaeModel.MaxAnomalySamples}.");
        float[] x = Flatten(request.X, pair, options, "x");
        if ((long)request.X.Length * request.Samples > options.MaxScoreDraws)
            throw ProtocolException.BadRequest($"{request.X.Length} rows × {request.Samples} samples = {(long)request.X.Length * request.Samples:N0} decoder draws; a request may ask for at most {options.MaxScoreDraws:N0} (Serve:MaxScoreDraws).");
        var scores = new AnomalyScore[request.X.Length];
        Client(() => pair.Vae.ScoreAnomalies(x, scores, request.Samples, request.Seed, request.Labels));
        return Results.Ok(new ScoreResponse(name, request.Samples,
            scores.Select(s => new RowScore(s.NegativeLogLikelihood, s.NegativeElbo, s.ReconstructionNll, s.Kl, s.SquaredError)).ToArray()));
    }

    /// <summary>The rows as one flat array after checking their count and lengths.</summary>
    private static float[] Flatten(float[][] rows, ServedPair pair, ServerOptions options, string what)
    {
        int size = pair.Vae.InputSize;
        var flat = new float[CheckRows(rows.Length, options, what) * size];
        for (int r = 0; r < rows.Length; r++) CheckRow(rows[r], size, pair, $"{what}[{r}]").CopyTo(flat, r * size);
        return flat;
    }

    private static T[] CheckRow<T>(T[]? row, int size, ServedPair pair, string what) =>
        row is null ? throw ProtocolException.BadRequest($"{what} is null; expected {size} values.")
        : row.Length != size ? throw ProtocolException.BadRequest($"{what} holds {row.Length} values; model '{pair.Name}' takes {size} per row (input shape [{string.Join(",", pair.Vae.Info.InputShape)}], flattened).")
        : row;

    private static int CheckRows(long rows, ServerOptions options, string what) =>
        rows < 1 ? throw ProtocolException.BadRequest($"{what} is {rows}; expected 1 or more rows.")
        : rows > options.MaxRowsPerRequest ? throw ProtocolException.BadRequest($"{what} is {rows}; a request may carry or ask for at most {options.MaxRowsPerRequest} rows (Serve:MaxRowsPerRequest).")
        : (int)rows;

    private static void CheckIterations(int iterations, ServerOptions options)
    {
        if (iterations < 1 || iterations > options.MaxIterations)
            throw ProtocolException.BadRequest($"iterations is {iterations}; expected 1 to {options.MaxIterations} (Serve:MaxIterations).");
    }

    private static void CheckFormat(string format)
    {
        if (format is not (Json or Png)) throw ProtocolException.BadRequest($"format is '{format}'; expected json or png.");
    }

    /// <summary>Runs a library call on the client's values: its argument errors (labels, temperature, sizes) are the client's, answered 400.</summary>
    private static void Client(Action call)
    {
        try { call(); }
        catch (ArgumentException e) { throw ProtocolException.BadRequest(e.Message); }
    }

    private static IResult Answer(ServedPair pair, float[] values, int rows, string format, int columns)
    {
        if (format == Png) return Results.File(ImageGrid.Png(pair.Vae.Info, values, rows, columns, pair.Name), "image/png");
        int size = pair.Vae.InputSize;
        var split = new float[rows][];
        for (int r = 0; r < rows; r++) split[r] = values.AsSpan(r * size, size).ToArray();
        return Results.Ok(new RowsResponse(pair.Name, pair.Vae.Info.InputShape, split));
    }
}
