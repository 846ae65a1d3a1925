using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;

namespace Registry.Storage.Events;

/// <summary>Deletes events, their deliveries and pull counts older than <c>Registry:Events:Retention</c> (run by garbage collection).</summary>
public sealed class EventPruner(RegistryDbContext db, EventsOptions options, TimeProvider time)
{
    /// <summary>The number of events deleted.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - options.Retention;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var old = db.Set<EventEntity>().Where(e => e.OccurredAt < cutoff).Select(e => e.Id);
        await db.Set<WebhookDeliveryEntity>().Where(d => old.Contains(d.EventId)).ExecuteDeleteAsync(cancellationToken);
        var removed = await db.Set<EventEntity>().Where(e => e.OccurredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        await db.Set<PullCountEntity>().Where(p => p.Hour < cutoff).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }
}
