using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vae.Server.Oip;

namespace Vae.Server.Hosting;

/// <summary>
/// Answers every failure in the protocol's shape, <c>{"error": "..."}</c>: a <see cref="ProtocolException"/> with its
/// status; ASP.NET Core's own refusals of a request (malformed JSON body, 413 over Kestrel's body limit, wrong content
/// type) with theirs; anything else is a server fault, logged with its stack trace and answered 500.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ProtocolException e)
        {
            await WriteAsync(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            string detail = e.InnerException is JsonException json ? $" {json.Message}" : "";
            await WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? RequestBody.TooLarge(long.MaxValue, context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0).Message
                : e.Message + detail).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away: nobody to answer
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, $"internal error ({e.GetType().Name}: {ErrorLine.OneLine(e.Message)}); the server log has the details.").ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (status < 500) logger.LogInformation("{Method} {Path} answered {Status}: {Error}", context.Request.Method, context.Request.Path, status, message);
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "1";
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsJsonAsync(new ErrorResponse(message), ServerJson.Options, context.RequestAborted).ConfigureAwait(false);
    }
}
