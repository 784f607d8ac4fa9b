using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Vae.Server.Models;

namespace Vae.Server.Observability;

/// <summary>
/// Counts and times every request to a named endpoint by model and endpoint (after the error middleware has set the final
/// status), and logs each one at Debug level with its status and time. Model labels are only names the server serves
/// ("unknown" otherwise), so clients cannot grow the metrics without bound.
/// </summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, ServerMetrics metrics, ModelRepository repository, ILogger<RequestMetricsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            string? endpoint = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            if (endpoint is not null)
            {
                string model = context.GetRouteValue("name") is string name
                    ? repository.Graphs.ContainsKey(name) || repository.Pairs.ContainsKey(name) ? name : "unknown"
                    : "";
                metrics.Request(model, endpoint, context.Response.StatusCode, seconds);
            }
            logger.LogDebug("{Method} {Path} {Status} in {Milliseconds:0.000} ms", context.Request.Method, context.Request.Path, context.Response.StatusCode, seconds * 1000);
        }
    }
}
