using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Deletes one unreachable untagged manifest, following the same rule as <see cref="BlobSweeper"/>: lock the
/// row, re-check in a new statement that no tag and no index of its repository uses it, delete, commit. A
/// manifest push locks the manifests it references (and itself) the same way, so it either waits and keeps
/// the manifest alive or finds it gone and answers MANIFEST_BLOB_UNKNOWN. Retention deletes untagged manifests
/// through it too, with its audit entry in the same transaction.
/// </summary>
public sealed class ManifestSweeper(RegistryDbContext db, EventOutbox outbox, TimeProvider time)
{
    /// <summary>
    /// True when the manifest was deleted; false when it is in use (or gone, or younger than
    /// <paramref name="cutoff"/>) now. <paramref name="beforeCommit"/> runs inside the transaction once the
    /// deletion is certain (to save an audit entry with it), before the event that must come last.
    /// </summary>
    public async Task<bool> TrySweepAsync(UnreachableManifest manifest, DateTime cutoff, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? beforeCommit = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Blobs first, then the manifest: the order a manifest push locks them in, so the two cannot deadlock.
        // Touching them starts their grace period: they go in a later collection, like those of any deleted manifest.
        var references = db.ManifestReferences.Where(r => r.ManifestId == manifest.Id && r.Kind == ManifestReferenceKind.Blob).Select(r => r.Digest);
        await db.Blobs.Where(b => references.Contains(b.Digest))
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.LastReferencedAt, now), cancellationToken);
        var locked = await db.Manifests.Where(m => m.Id == manifest.Id && m.CreatedAt <= cutoff)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Size, m => m.Size), cancellationToken);
        if (locked == 0) return false;
        if (await db.Tags.AnyAsync(t => t.ManifestId == manifest.Id, cancellationToken)) return false;
        var usedByIndex = await (
            from r in db.ManifestReferences
            join parent in db.Manifests on r.ManifestId equals parent.Id
            where r.Digest == manifest.Digest && r.Kind == ManifestReferenceKind.Manifest && parent.RepositoryId == manifest.RepositoryId
            select r).AnyAsync(cancellationToken);
        if (usedByIndex) return false;
        await db.ManifestReferences.Where(r => r.ManifestId == manifest.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Manifests.Where(m => m.Id == manifest.Id).ExecuteDeleteAsync(cancellationToken);
        if (beforeCommit is not null) await beforeCommit(cancellationToken);
        await outbox.WriteAsync([new RegistryEvent(EventTypes.ManifestDeleted, manifest.Repository, manifest.Digest)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
