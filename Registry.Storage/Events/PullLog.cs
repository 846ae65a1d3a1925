using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;

namespace Registry.Storage.Events;

/// <summary>
/// Counts manifest pulls in memory per repository, digest, actor and hour; a flusher writes them with
/// <see cref="PullCountWriter"/> every few seconds, so a busy registry writes one row per bucket, not per pull.
/// A crash loses at most the unflushed seconds of counts (pulls change nothing, unlike pushes).
/// </summary>
public sealed class PullLog(TimeProvider time)
{
    private readonly Lock gate = new();
    private Dictionary<PullKey, PullTally> pending = [];

    public void Record(string repository, string digest, EventOrigin origin)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = new PullKey(repository, digest, origin.Actor, origin.ActorKind, new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc));
        lock (gate)
            pending[key] = pending.TryGetValue(key, out var tally) ? new(tally.Count + 1, origin.ClientAddress) : new(1, origin.ClientAddress);
    }

    /// <summary>Takes every count recorded so far.</summary>
    public IReadOnlyDictionary<PullKey, PullTally> Drain()
    {
        lock (gate)
        {
            var drained = pending;
            pending = [];
            return drained;
        }
    }

    /// <summary>Puts counts back after a failed flush (they are written with the next one).</summary>
    public void Restore(IReadOnlyDictionary<PullKey, PullTally> counts)
    {
        lock (gate)
            foreach (var (key, tally) in counts)
                pending[key] = pending.TryGetValue(key, out var newer) ? new(newer.Count + tally.Count, newer.ClientAddress) : tally;
    }
}

public readonly record struct PullKey(string Repository, string Digest, string Actor, string ActorKind, DateTime Hour);
public readonly record struct PullTally(long Count, string? ClientAddress);

/// <summary>
/// Adds drained pull counts to <c>pull_counts</c>; the first pull of a bucket also writes one <c>pulled</c> event
/// (so the feed and webhooks hear of each actor pulling each digest once per hour, not of every pull).
/// </summary>
public sealed class PullCountWriter(RegistryDbContext db, EventOutbox outbox, EventOrigin origin)
{
    public async Task WriteAsync(IReadOnlyDictionary<PullKey, PullTally> counts, CancellationToken cancellationToken)
    {
        if (counts.Count == 0) return;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var firsts = new List<PullKey>();
        foreach (var (key, tally) in counts)
        {
            var inserted = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO pull_counts (repository, digest, actor, hour, client_address, count)
                VALUES ({key.Repository}, {key.Digest}, {key.Actor}, {key.Hour}, {tally.ClientAddress}, {tally.Count})
                ON CONFLICT (repository, digest, actor, hour) DO NOTHING
                """, cancellationToken);
            if (inserted > 0) { firsts.Add(key); continue; }
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE pull_counts SET count = count + {tally.Count}, client_address = {tally.ClientAddress}
                WHERE repository = {key.Repository} AND digest = {key.Digest} AND actor = {key.Actor} AND hour = {key.Hour}
                """, cancellationToken);
        }
        // Events last (see EventOutbox); each names its own puller.
        foreach (var key in firsts)
        {
            origin.Actor = key.Actor;
            origin.ActorKind = key.ActorKind;
            origin.ClientAddress = counts[key].ClientAddress;
            await outbox.WriteAsync([new RegistryEvent(EventTypes.Pulled, key.Repository, key.Digest)], cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
