using Microsoft.AspNetCore.Http;

namespace Vae.Server.Oip;

/// <summary>Reads a request body whole, refusing one larger than the server's limit with 413 before reading it when its length is declared.</summary>
internal static class RequestBody
{
    /// <exception cref="ProtocolException">413 over <paramref name="limit"/> bytes.</exception>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken cancellation)
    {
        if (request.ContentLength is long declared)
        {
            if (declared > limit) throw TooLarge(declared, limit);
            var body = new byte[declared];
            await request.Body.ReadExactlyAsync(body, cancellation).ConfigureAwait(false);
            return body;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(buffer.Length + read, limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static ProtocolException TooLarge(long bytes, long limit) =>
        ProtocolException.TooLarge($"the request body is {(bytes > limit ? "more than " : "")}{limit:N0} bytes (Serve:MaxRequestBodyBytes); send fewer rows per request, or the binary tensor format, which is about 3× smaller than JSON.");
}
