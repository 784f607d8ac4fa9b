using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Vae.Server.Hosting;

/// <summary>
/// The rule that keeps a server without an API key private: every address it listens on (<c>--urls</c>, <c>Urls</c>,
/// <c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints:*:Url</c>) must be a loopback one, unless an API key is set or
/// <see cref="ServerOptions.AllowRemoteWithoutApiKey"/> says a gateway in front authenticates.
/// </summary>
internal static class Exposure
{
    /// <summary>The configured listening URLs.</summary>
    public static IReadOnlyList<string> Urls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls;
    }

    /// <exception cref="ArgumentException">A URL reaches beyond loopback without an API key, or is not a URL.</exception>
    public static void Check(IReadOnlyList<string> urls, ServerOptions options)
    {
        if (options.ApiKey.Length > 0 || options.AllowRemoteWithoutApiKey) return;
        foreach (string url in urls)
        {
            if (IsLoopback(url)) continue;
            throw new ArgumentException(
                $"the server would listen on {url}, beyond this machine, without an API key; set one (Serve:ApiKey, environment variable Serve__ApiKey, or --api-key-file), " +
                $"listen on a loopback address (--urls http://127.0.0.1:8080), or set Serve:AllowRemoteWithoutApiKey when a gateway in front authenticates.", "urls");
        }
    }

    /// <summary>Whether <paramref name="url"/> listens on loopback only (localhost, 127.0.0.0/8, [::1]).</summary>
    public static bool IsLoopback(string url)
    {
        BindingAddress address;
        try { address = BindingAddress.Parse(url); }
        catch (FormatException e) { throw new ArgumentException($"'{url}' is not a URL to listen on; expected e.g. http://127.0.0.1:8080 ({e.Message})", "urls", e); }
        if (address.IsUnixPipe) return true;
        string host = address.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }
}
