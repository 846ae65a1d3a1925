using Microsoft.EntityFrameworkCore;
using Registry.Storage.Blobs;
using Registry.Storage.Metadata;

namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Purges upload sessions idle since before the cutoff: the row first, and only while it is still idle (a PATCH
/// that arrives meanwhile renews <c>updated_at</c> and keeps the session), then the staged bytes in the store.
/// </summary>
internal sealed class UploadPurger(RegistryDbContext db, IBlobStore store, MetadataWriteGate gate)
{
    /// <summary>Stale sessions with their staged byte counts.</summary>
    public async Task<IReadOnlyList<(string Id, long Bytes)>> FindStaleAsync(DateTime cutoff, CancellationToken cancellationToken) =>
        (await db.UploadSessions.AsNoTracking().Where(u => u.UpdatedAt <= cutoff)
            .Select(u => new { u.Id, u.Offset }).ToListAsync(cancellationToken))
        .Select(u => (u.Id, u.Offset)).ToList();

    /// <summary>True when the session was purged.</summary>
    public async Task<bool> TryPurgeAsync(string id, DateTime cutoff, CancellationToken cancellationToken)
    {
        int removed;
        using (await gate.EnterAsync(cancellationToken))
            removed = await db.UploadSessions.Where(u => u.Id == id && u.UpdatedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0) return false;
        await store.DeleteUploadAsync(id, cancellationToken);
        return true;
    }
}
