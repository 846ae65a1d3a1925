using Registry.Api.Secrets;
using Registry.Storage.Events;

namespace Registry.Api.Replication;

/// <summary>
/// Runs <see cref="ReplicationPass"/> whenever an event commits on this replica, and every
/// <c>Registry:Events:PollInterval</c> for events of other replicas and for retries that came due.
/// Pushes never wait on it: a slow or dead target only delays its own rules.
/// </summary>
public sealed class ReplicationWorker(IServiceScopeFactory scopes, EventsOptions options, EventSignal signal, StoredSecretsUpgrade secrets,
    ILogger<ReplicationWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // Passwords stored before they carried the protected marker are read only after the start-up pass marked them.
        try { await secrets.Completed.WaitAsync(stoppingToken); }
        catch (OperationCanceledException) { return; }
        while (!stoppingToken.IsCancellationRequested)
        {
            var pulse = signal.NextPulse;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ReplicationPass>().RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A database outage pauses replication; the events wait in the log.
                logger.LogWarning(e, "Replication pass failed; trying again");
            }
            try
            {
                await Task.WhenAny(pulse, Task.Delay(options.PollInterval, stoppingToken));
            }
            catch (OperationCanceledException) { break; }
        }
    }
}
