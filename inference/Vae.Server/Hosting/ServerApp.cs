using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Vae.Server.Models;
using Vae.Server.Observability;
using Vae.Server.Oip;
using Vae.Server.Operations;

namespace Vae.Server.Hosting;

/// <summary>
/// Builds the vae-serve web application: configuration as every ASP.NET Core app reads it (appsettings.json beside the
/// program, appsettings.{Environment}.json, environment variables, then the overrides from the command
/// line), the model repository, the endpoints (OIP v2, VAE operations, /metrics, /openapi/v1.json) and the middleware.
/// </summary>
public static class ServerApp
{
    /// <summary>
    /// A new application, not yet started. The caller owns it (<c>await using</c>); disposing it releases the models
    /// after the requests in flight finish.
    /// </summary>
    /// <param name="configure">Last changes to the builder (tests put a TestServer in).</param>
    /// <param name="beforeLoad">Awaited before the models load (tests hold the server in its loading state).</param>
    /// <exception cref="ArgumentException">A setting is invalid, or the server would listen beyond loopback without an API key.</exception>
    public static WebApplication Build(IEnumerable<KeyValuePair<string, string?>> overrides, Action<WebApplicationBuilder>? configure = null, Func<Task>? beforeLoad = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        configure?.Invoke(builder);
        ServerOptions options = ServerOptions.From(builder.Configuration);
        Exposure.Check(Exposure.Urls(builder.Configuration), options);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<ModelRepository>();
        builder.Services.AddHostedService(services => new ModelLoader(services.GetRequiredService<ModelRepository>(), services.GetRequiredService<IHostApplicationLifetime>(), beforeLoad));
        builder.Services.Configure<JsonOptions>(json => ServerJson.Configure(json.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "vae-serve";
            document.Info.Version = OipEndpoints.ServerVersion;
            document.Info.Description = "VAE encoder/decoder pairs over HTTP: the Open Inference Protocol v2 (each model folder NAME as NAME_encoder and NAME_decoder), " +
                                        "and the VAE operations the graphs alone do not give (generate, reconstruct, denoise, impute, interpolate, anomaly score). " +
                                        "Errors are {\"error\": \"...\"} with a 4xx for what the client sent and 503 while the server cannot take the request.";
            return Task.CompletedTask;
        }));

        WebApplication app = builder.Build();
        app.UseMiddleware<RequestMetricsMiddleware>();
        app.UseMiddleware<ErrorMiddleware>();
        if (options.ApiKey.Length > 0) app.UseMiddleware<ApiKeyMiddleware>();
        app.UseRouting();
        app.MapOpenApi("/openapi/{documentName}.json").WithName("openapi");
        OipEndpoints.Map(app);
        VaeEndpoints.Map(app);
        app.MapMetrics("/metrics", app.Services.GetRequiredService<ServerMetrics>().Registry).WithName("metrics");
        app.MapFallback(context => throw ProtocolException.NotFound($"no endpoint {context.Request.Method} {context.Request.Path}; /openapi/v1.json lists them."));
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("vae-serve {Version} listening on {Urls}", OipEndpoints.ServerVersion, string.Join(", ", app.Urls)));
        return app;
    }
}
