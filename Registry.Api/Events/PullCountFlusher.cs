using Registry.Storage.Events;

namespace Registry.Api.Events;

/// <summary>Writes the in-memory pull counts every <c>Registry:Events:PullFlushInterval</c> and once more at shutdown.</summary>
public sealed class PullCountFlusher(PullLog pulls, IServiceScopeFactory scopes, EventsOptions options, ILogger<PullCountFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PullFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) { }
        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var counts = pulls.Drain();
        if (counts.Count == 0) return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PullCountWriter>().WriteAsync(counts, cancellationToken);
        }
        catch (Exception e)
        {
            pulls.Restore(counts);
            logger.LogWarning(e, "Writing {Buckets} pull counts failed; they are kept for the next flush", counts.Count);
        }
    }
}
