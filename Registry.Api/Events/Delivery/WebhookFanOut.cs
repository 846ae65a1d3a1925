using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// Turns new events into delivery rows, per webhook: under the webhook row's lock (PostgreSQL: <c>FOR UPDATE SKIP
/// LOCKED</c>, so a replica never waits for another doing the same; SQLite: its one writer), read the events after
/// the webhook's cursor, insert a delivery for each match and advance the cursor, in one transaction. Event ids
/// commit in order (<see cref="EventOutbox"/>), so a cursor never passes an event that commits later.
/// </summary>
public sealed class WebhookFanOut(RegistryDbContext db, TimeProvider time)
{
    private const int BatchSize = 500;

    /// <summary>The number of deliveries created.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var latest = await db.Set<EventEntity>().MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
        var behind = await db.Set<WebhookEntity>().AsNoTracking().Where(w => w.Enabled && w.Cursor < latest)
            .Select(w => w.Id).ToListAsync(cancellationToken);
        var created = 0;
        foreach (var id in behind) created += await FanOutAsync(id, cancellationToken);
        return created;
    }

    private async Task<int> FanOutAsync(long webhookId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var webhook = db.Database.IsNpgsql()
            ? await db.Set<WebhookEntity>().FromSql($"SELECT * FROM webhooks WHERE id = {webhookId} FOR UPDATE SKIP LOCKED").FirstOrDefaultAsync(cancellationToken)
            : await db.Set<WebhookEntity>().FirstOrDefaultAsync(w => w.Id == webhookId, cancellationToken);
        if (webhook is null || !webhook.Enabled) return 0;
        var cursor = webhook.Cursor;
        var events = await db.Set<EventEntity>().AsNoTracking().Where(e => e.Id > cursor).OrderBy(e => e.Id).Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (events.Count == 0) return 0;
        var now = time.GetUtcNow().UtcDateTime;
        var created = 0;
        foreach (var row in events.Where(e => WebhookMatcher.Matches(webhook, e)))
        {
            db.Set<WebhookDeliveryEntity>().Add(new WebhookDeliveryEntity
            {
                WebhookId = webhook.Id, EventId = row.Id, Repository = row.Repository, State = DeliveryState.Pending,
                CreatedAt = now, NextAttemptAt = now, ClaimedUntil = now,
            });
            created++;
        }
        webhook.Cursor = events[^1].Id;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return created;
    }
}
