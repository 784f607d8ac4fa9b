using Microsoft.AspNetCore.Http;

namespace Vae.Server.Oip;

/// <summary>
/// A failure answered in the protocol's shape, <c>{"error": "..."}</c> with <see cref="StatusCode"/>: 4xx for what the
/// client sent, 503 while the server cannot take the request (loading, stopping, queue full, deadline passed).
/// </summary>
public sealed class ProtocolException(int statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status of the answer.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>400: the request is malformed or does not fit the model.</summary>
    public static ProtocolException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    /// <summary>404: no such model.</summary>
    public static ProtocolException NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    /// <summary>413: the body is larger than the server takes.</summary>
    public static ProtocolException TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);

    /// <summary>503: the server cannot take the request now; a retry later may succeed.</summary>
    public static ProtocolException Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, message);
}
