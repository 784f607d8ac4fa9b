using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Vae.Server.Oip;

namespace Vae.Server.Hosting;

/// <summary>
/// Refuses every request without the configured API key (header <c>X-API-Key: KEY</c> or <c>Authorization: Bearer KEY</c>)
/// with 401, except the health probes, which orchestrators call without credentials. Keys are compared in constant time.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ServerOptions options)
{
    /// <summary>The header that carries the key.</summary>
    public const string Header = "X-API-Key";

    private readonly byte[] key = Encoding.UTF8.GetBytes(options.ApiKey);

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/v2/health") || Presented(context.Request) is { } given && Matches(given)) return next(context);
        throw new ProtocolException(StatusCodes.Status401Unauthorized,
            $"this server requires an API key: send it in the {Header} header (or as Authorization: Bearer KEY).");
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(Header, out var value)) return value.ToString();
        string authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private bool Matches(string given) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), key);
}
