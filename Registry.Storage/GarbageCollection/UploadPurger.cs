using Microsoft.EntityFrameworkCore;
using Registry.Storage.Blobs;
using Registry.Storage.Metadata;

namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Purges upload sessions idle since before the cutoff: the row first, and only while it is still idle (a PATCH
/// that arrives meanwhile renews <c>updated_at</c> and keeps the session), then the staged bytes in the store.
/// Also removes staging that has no session row and was last written before the cutoff: the remains of a
/// session whose row went (completed, cancelled, purged) while deleting its bytes failed, or of a start whose
/// row insert failed (database outage). A session's staging is created just before its row and its row deleted
/// just before its staging is published, so only staging idle past the cutoff can be such a remnant.
/// </summary>
internal sealed class UploadPurger(RegistryDbContext db, IBlobStore store)
{
    /// <summary>Stale sessions with their staged byte counts.</summary>
    public async Task<IReadOnlyList<(string Id, long Bytes)>> FindStaleAsync(DateTime cutoff, CancellationToken cancellationToken) =>
        (await db.UploadSessions.AsNoTracking().Where(u => u.UpdatedAt <= cutoff)
            .Select(u => new { u.Id, u.Offset }).ToListAsync(cancellationToken))
        .Select(u => (u.Id, u.Offset)).ToList();

    /// <summary>Staging idle since before the cutoff whose session row is gone.</summary>
    public async Task<IReadOnlyList<StagedUpload>> FindOrphansAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        var idle = new List<StagedUpload>();
        await foreach (var staged in store.ListUploadsAsync(cancellationToken))
            if (staged.LastModified.UtcDateTime <= cutoff) idle.Add(staged);
        var ids = idle.Select(s => s.Id).ToList();
        var withRows = (await db.UploadSessions.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => u.Id)
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        return idle.Where(s => !withRows.Contains(s.Id)).ToList();
    }

    /// <summary>Deletes orphaned staging, unless a session row for it appeared meanwhile.</summary>
    public async Task<bool> TryPurgeOrphanAsync(string id, CancellationToken cancellationToken)
    {
        if (await db.UploadSessions.AnyAsync(u => u.Id == id, cancellationToken)) return false;
        await store.DeleteUploadAsync(id, cancellationToken);
        return true;
    }

    /// <summary>True when the session was purged.</summary>
    public async Task<bool> TryPurgeAsync(string id, DateTime cutoff, CancellationToken cancellationToken)
    {
        var removed = await db.UploadSessions.Where(u => u.Id == id && u.UpdatedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0) return false;
        await store.DeleteUploadAsync(id, cancellationToken);
        return true;
    }
}
