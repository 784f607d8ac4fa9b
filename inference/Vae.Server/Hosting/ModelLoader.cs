using Microsoft.Extensions.Hosting;
using Vae.Server.Models;

namespace Vae.Server.Hosting;

/// <summary>
/// Loads the model folders once the server listens (liveness answers at once, readiness once the models are in), and
/// stops the application when nothing can be served; turns readiness to 503 when shutdown begins.
/// </summary>
internal sealed class ModelLoader(ModelRepository repository, IHostApplicationLifetime lifetime, Func<Task>? beforeLoad) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(repository.MarkStopping);
        await Task.Yield();
        if (beforeLoad is not null) await beforeLoad().ConfigureAwait(false);
        if (stoppingToken.IsCancellationRequested) return;
        repository.Load();
        if (repository.State == RepositoryState.Failed) lifetime.StopApplication();
    }
}
