using Microsoft.EntityFrameworkCore;
using Registry.Api.Secrets;
using Registry.Storage.Events;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// The delivery loop (one per replica; see README.md beside this file): fan new events out into deliveries, claim
/// due ones up to <c>Registry:Events:MaxConcurrentDeliveries</c>, send them concurrently, and sleep until an event
/// commits here, a delivery finishes, or the poll interval passes. Pushes never wait for any of it.
/// </summary>
public sealed class WebhookDeliveryWorker(IServiceScopeFactory scopes, EventsOptions options, EventSignal signal, StoredSecretsUpgrade secrets,
    ILogger<WebhookDeliveryWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan BacklogCountInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // Secrets stored in clear are protected before the first delivery (Reveal would accept them, but not for long).
        try { await secrets.Completed.WaitAsync(stoppingToken); }
        catch (OperationCanceledException) { return; }
        await SyncConfiguredWebhooksAsync(stoppingToken);
        var inFlight = new List<Task>();
        long? backlogCountedAt = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var pulse = signal.NextPulse;
            try
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<WebhookFanOut>().RunAsync(stoppingToken);
                var free = options.MaxConcurrentDeliveries - inFlight.Count;
                if (free > 0)
                    foreach (var delivery in await scope.ServiceProvider.GetRequiredService<DeliveryClaimer>().ClaimAsync(free, stoppingToken))
                        inFlight.Add(SendAsync(delivery, stoppingToken));
                // The backlog gauge is a count over the table: refreshed every few seconds, not on every pass.
                if (backlogCountedAt is not { } counted || System.Diagnostics.Stopwatch.GetElapsedTime(counted) >= BacklogCountInterval)
                {
                    DeliveryMetrics.SetPending(await scope.ServiceProvider.GetRequiredService<Registry.Storage.Metadata.RegistryDbContext>()
                        .Set<WebhookDeliveryEntity>().CountAsync(d => d.State == DeliveryState.Pending, stoppingToken));
                    backlogCountedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A database outage pauses delivery; the events wait in the log.
                logger.LogWarning(e, "Webhook delivery pass failed; trying again");
            }
            try
            {
                await Task.WhenAny([pulse, Task.Delay(options.PollInterval, stoppingToken), .. inFlight]);
            }
            catch (OperationCanceledException) { break; }
        }
        await Task.WhenAll(inFlight);
    }

    private async Task SendAsync(WebhookDeliveryEntity delivery, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<WebhookSender>().SendAsync(delivery, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The claim lapses and the delivery is tried again (by this or another replica).
            logger.LogWarning(e, "Webhook delivery {Delivery} could not be recorded", delivery.Id);
        }
        catch (OperationCanceledException) { }
    }

    private async Task SyncConfiguredWebhooksAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ConfiguredWebhooks>().SyncAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
            {
                // Two replicas starting together race on the config rows' unique name: the loser reads them next time.
                logger.LogWarning(e, "Syncing configured webhooks failed (attempt {Attempt})", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)), stoppingToken);
            }
        }
    }
}
