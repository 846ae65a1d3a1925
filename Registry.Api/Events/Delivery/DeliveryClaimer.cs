using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// Claims due deliveries for this replica. A delivery is due when it is pending, its next attempt time has come,
/// no replica holds it (<c>claimed_until</c> passed) and no earlier delivery of the same webhook and repository is
/// still pending (per-webhook, per-repository order). The claim sets <c>claimed_until</c>: a replica that dies
/// mid-delivery loses it when that passes and another replica sends it again (at-least-once).
/// PostgreSQL selects with <c>FOR UPDATE SKIP LOCKED</c> so replicas claiming at once take disjoint rows; on both
/// providers each claim is also a compare-and-set on <c>claimed_until</c>, so a row is never claimed twice.
/// </summary>
public sealed class DeliveryClaimer(RegistryDbContext db, EventsOptions options, TimeProvider time)
{
    /// <summary>How long a claim holds: the request timeout plus a margin for recording the outcome.</summary>
    public TimeSpan Lease => options.DeliveryTimeout * 2 + TimeSpan.FromSeconds(5);

    public async Task<IReadOnlyList<WebhookDeliveryEntity>> ClaimAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + Lease;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var query = db.Database.IsNpgsql()
            ? db.Set<WebhookDeliveryEntity>().FromSql($"""
                SELECT d.* FROM webhook_deliveries d
                WHERE d.state = 0 AND d.next_attempt_at <= {now} AND d.claimed_until <= {now}
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.repository = d.repository AND e.state = 0 AND e.id < d.id)
                ORDER BY d.id LIMIT {max} FOR UPDATE OF d SKIP LOCKED
                """)
            : db.Set<WebhookDeliveryEntity>().FromSql($"""
                SELECT d.* FROM webhook_deliveries d
                WHERE d.state = 0 AND d.next_attempt_at <= {now} AND d.claimed_until <= {now}
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.repository = d.repository AND e.state = 0 AND e.id < d.id)
                ORDER BY d.id LIMIT {max}
                """);
        var candidates = await query.AsNoTracking().ToListAsync(cancellationToken);
        var claimed = new List<WebhookDeliveryEntity>();
        foreach (var candidate in candidates)
        {
            var taken = await db.Set<WebhookDeliveryEntity>()
                .Where(d => d.Id == candidate.Id && d.State == DeliveryState.Pending && d.ClaimedUntil <= now)
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.ClaimedUntil, until), cancellationToken);
            if (taken == 1) claimed.Add(candidate);
        }
        await transaction.CommitAsync(cancellationToken);
        return claimed;
    }
}
