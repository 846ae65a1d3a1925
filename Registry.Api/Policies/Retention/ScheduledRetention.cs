using Registry.Api.Operations;
using Registry.Storage.Events;
using Registry.Storage.GarbageCollection;

namespace Registry.Api.Policies.Retention;

/// <summary>
/// Runs retention every <c>Registry:Retention:Schedule</c> (off when zero) and, when it deleted anything, a
/// garbage collection so that what it released is swept (blobs once their grace period has passed). A round that
/// deleted nothing leaves collecting to the collection's own schedule. Every replica schedules it:
/// retention's deletions re-check under lock, and the collector's lock lets one replica collect.
/// </summary>
public sealed class ScheduledRetention(IServiceScopeFactory scopes, RetentionOptions options, ILogger<ScheduledRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Schedule <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(options.Schedule);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    scope.ServiceProvider.GetRequiredService<EventOrigin>().AsSystem(RetentionActor.Schedule.Name);
                    var retention = await scope.ServiceProvider.GetRequiredService<RetentionRunner>().RunAsync(dryRun: false, RetentionActor.Schedule, stoppingToken);
                    if (retention.Tags.Count == 0 && retention.Manifests.Count == 0) continue;
                }
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var report = await scope.ServiceProvider.GetRequiredService<GarbageCollector>().RunAsync(dryRun: false, stoppingToken);
                    if (report is not null) GarbageCollectionMetrics.Record(report);
                    else logger.LogInformation("Garbage collection after retention skipped: another replica is collecting");
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database or store outage fails this round only; the next tick tries again.
                logger.LogError(e, "Scheduled retention failed");
            }
        }
    }
}
