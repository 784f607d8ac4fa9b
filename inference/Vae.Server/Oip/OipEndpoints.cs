using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vae.Server.Batching;
using Vae.Server.Hosting;
using Vae.Server.Models;

namespace Vae.Server.Oip;

/// <summary>The Open Inference Protocol v2 REST endpoints (KServe v2, as Triton serves them): health, metadata, readiness, infer.</summary>
internal static class OipEndpoints
{
    /// <summary>The protocol extensions this server implements, as GET /v2 lists them.</summary>
    public static readonly string[] Extensions = ["binary_tensor_data"];

    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v2 = app.MapGroup("/v2").WithTags("Open Inference Protocol v2");
        v2.MapGet("/health/live", () => Results.Ok(new Liveness(true)))
            .WithName("live").WithSummary("Liveness: 200 while the process serves HTTP.").Produces<Liveness>();
        v2.MapGet("/health/ready", Ready)
            .WithName("ready").WithSummary("Readiness: 200 once every model folder is loaded; 503 while loading or shutting down.")
            .Produces<Readiness>().Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        v2.MapGet("/", () => Results.Ok(new ServerMetadata("vae-serve", ServerVersion, Extensions)))
            .WithName("server_metadata").WithSummary("Server metadata: name, version, protocol extensions.").Produces<ServerMetadata>();
        v2.MapPost("/repository/index", Index)
            .WithName("repository_index").WithSummary("Every served model (READY) and every model folder that did not load (UNAVAILABLE, with the reason).")
            .Produces<RepositoryEntry[]>();
        foreach (string prefix in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            v2.MapGet(prefix, Metadata)
                .WithName(prefix.Contains("versions") ? "model_version_metadata" : "model_metadata")
                .WithSummary("Model metadata: inputs and outputs with datatype and shape (-1 is the batch).")
                .Produces<ModelMetadata>().Produces<ErrorResponse>(StatusCodes.Status404NotFound).Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
            v2.MapGet(prefix + "/ready", ModelReady)
                .WithName(prefix.Contains("versions") ? "model_version_ready" : "model_ready")
                .WithSummary("Model readiness: 200 when the model serves requests.")
                .Produces<ModelReadiness>().Produces<ErrorResponse>(StatusCodes.Status404NotFound).Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
            v2.MapPost(prefix + "/infer", Infer)
                .WithName(prefix.Contains("versions") ? "model_version_infer" : "infer")
                .WithSummary("Inference: JSON tensors, or binary tensors after the JSON (Inference-Header-Content-Length).")
                .WithDescription("Concurrent requests to one model are coalesced into one ONNX Runtime run (dynamic batching); each gets back its own rows. " +
                                 "Errors: 400 malformed JSON, wrong name, datatype, shape or value count, NaN/Infinity; 404 unknown model; 413 body over the limit; " +
                                 "503 while loading or stopping, when the queue is full, or when the request's deadline (parameters.timeout, µs) passed in the queue.")
                .Accepts<InferRequestDocument>("application/json", "application/octet-stream", "*/*") // any content type: curl -d sends a form type
                .Produces<InferResponseDocument>(StatusCodes.Status200OK, "application/json", "application/octet-stream")
                .Produces<ErrorResponse>(StatusCodes.Status400BadRequest).Produces<ErrorResponse>(StatusCodes.Status404NotFound)
                .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge).Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>This build's version, as GET /v2 reports it.</summary>
    public static string ServerVersion { get; } = typeof(OipEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static IResult Ready(ModelRepository repository) => repository.State == RepositoryState.Ready
        ? Results.Ok(new Readiness(true))
        : Results.Json(new ErrorResponse(repository.State switch
        {
            RepositoryState.Loading => "the server is loading its models.",
            RepositoryState.Stopping => "the server is shutting down.",
            _ => $"the server has no model to serve: {repository.FatalError}",
        }), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static IResult Index(ModelRepository repository)
    {
        if (repository.State is RepositoryState.Loading) throw ProtocolException.Unavailable("the server is loading its models.");
        var entries = repository.Graphs.Keys.Order(StringComparer.Ordinal).Select(name => new RepositoryEntry(name, GraphModel.Version, "READY", null))
            .Concat(repository.Failures.Select(f => new RepositoryEntry(Path.GetFileName(f.Folder), null, "UNAVAILABLE", f.Error)));
        return Results.Ok(entries.ToArray());
    }

    private static IResult Metadata(string name, string? version, ModelRepository repository)
    {
        IGraph graph = Find(repository, name, version).Model;
        return Results.Ok(new ModelMetadata(graph.Name, [GraphModel.Version], GraphModel.Platform, Tensors(graph.Inputs), Tensors(graph.Outputs)));
    }

    private static IResult ModelReady(string name, string? version, ModelRepository repository)
    {
        Find(repository, name, version);
        return Results.Ok(new ModelReadiness(name, true));
    }

    private static async Task Infer(HttpContext http, string name, string? version, ModelRepository repository, ServerOptions options)
    {
        ServedGraph graph = Find(repository, name, version);
        CancellationToken cancellation = http.RequestAborted;
        byte[] body = await RequestBody.ReadAsync(http.Request, options.MaxRequestBodyBytes, cancellation).ConfigureAwait(false);
        int jsonLength = body.Length;
        if (http.Request.Headers.TryGetValue(InferRequestReader.HeaderLength, out var header)
            && !int.TryParse(header.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out jsonLength))
            throw ProtocolException.BadRequest($"{InferRequestReader.HeaderLength} is '{header}'; expected the length of the JSON part in bytes.");
        InferRequest request = InferRequestReader.Parse(body, jsonLength, graph.Model, options.MaxRowsPerRequest, options.AllowNonFinite);
        GraphResult result = await graph.InferAsync(request.Inputs, request.Rows, request.TimeoutMicroseconds, cancellation).ConfigureAwait(false);
        await InferResponseWriter.WriteAsync(http.Response, graph.Model, request, result, cancellation).ConfigureAwait(false);
    }

    private static ServedGraph Find(ModelRepository repository, string name, string? version)
    {
        ServedGraph graph = repository.Graph(name);
        if (version is not null && version != GraphModel.Version)
            throw ProtocolException.NotFound($"model '{name}' has no version '{version}'; it has version {GraphModel.Version} only.");
        return graph;
    }

    private static TensorMetadata[] Tensors(IReadOnlyList<TensorSpec> specs) => specs.Select(s => new TensorMetadata(s.Name, s.Datatype, s.MetadataShape)).ToArray();
}
