using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;

namespace Registry.Storage.Events;

/// <summary>
/// Writes events into the event log inside the caller's open transaction, so an event commits with the change it
/// describes or not at all. Call it as the LAST statement before the commit:
/// <code>
/// await using var transaction = await db.Database.BeginTransactionAsync(ct);
/// … the change …
/// await outbox.WriteAsync([new RegistryEvent(EventTypes.TagDeleted, repository, Tag: tag)], ct);
/// await transaction.CommitAsync(ct);
/// </code>
/// Ids must become visible in order, or a feed reader at cursor N could skip an id below N that commits later.
/// SQLite has one writer at a time; on PostgreSQL the write takes a transaction-scoped advisory lock, held only
/// from this call to the commit (hence "last"), which serializes just that tail of event-writing transactions.
/// </summary>
public sealed class EventOutbox(RegistryDbContext db, EventOrigin origin, TimeProvider time)
{
    /// <summary>The advisory lock key that orders event commits on PostgreSQL.</summary>
    public const long CommitOrderLock = 0x4556_454E_5453; // "EVENTS"

    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // Which contexts wrote events in their current transaction, for EventCommitSignal.
    private static readonly ConditionalWeakTable<DbContext, StrongBox<bool>> Written = new();

    /// <summary>Appends <paramref name="events"/> to the log in the current transaction (which must exist).</summary>
    public async Task WriteAsync(IReadOnlyCollection<RegistryEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("events are written inside the transaction of the change they describe");
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CommitOrderLock})", cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var change in events)
        {
            var eventId = Guid.CreateVersion7().ToString();
            var data = JsonSerializer.Serialize(Describe(change), DataJson);
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO events (event_id, type, repository, digest, tag, occurred_at, data_json)
                VALUES ({eventId}, {change.Type}, {change.Repository}, {change.Digest}, {change.Tag}, {now}, {data})
                """, cancellationToken);
        }
        Written.GetOrCreateValue(db).Value = true;
    }

    /// <summary>True (once) when <paramref name="context"/>'s committed transaction had written events.</summary>
    internal static bool TakeWritten(DbContext context) =>
        Written.TryGetValue(context, out var box) && Interlocked.Exchange(ref box.Value, false);

    private EventData Describe(RegistryEvent change) => new(
        change.Repository.Length == 0 ? null : change.Repository, change.Digest, change.Tag, change.MediaType, change.Size,
        change.Subject, change.ArtifactType, new EventActor(origin.Actor, origin.ActorKind), origin.ClientAddress);

    /// <summary>The CloudEvents <c>data</c> of registry events.</summary>
    public sealed record EventData(
        string? Repository, string? Digest, string? Tag, string? MediaType, long? Size, string? Subject, string? ArtifactType,
        EventActor Actor, string? ClientAddress);

    /// <summary>Who caused an event.</summary>
    public sealed record EventActor(string Name, string Kind);
}
