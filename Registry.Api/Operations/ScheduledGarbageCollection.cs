using Registry.Storage.GarbageCollection;

namespace Registry.Api.Operations;

/// <summary>
/// Runs garbage collection every <c>Registry:Gc:Interval</c> (off when zero). Every replica schedules it; the
/// collector's lock lets one of them collect and the others skip that round.
/// </summary>
public sealed class ScheduledGarbageCollection(IServiceScopeFactory scopes, GarbageCollectionOptions options, ILogger<ScheduledGarbageCollection> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(options.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var report = await scope.ServiceProvider.GetRequiredService<GarbageCollector>().RunAsync(dryRun: false, stoppingToken);
                if (report is not null) GarbageCollectionMetrics.Record(report);
                else logger.LogInformation("Scheduled garbage collection skipped: another replica is collecting");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database or store outage fails this round only; the next tick tries again.
                logger.LogError(e, "Scheduled garbage collection failed");
            }
        }
    }
}
