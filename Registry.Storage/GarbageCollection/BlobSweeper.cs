using Microsoft.EntityFrameworkCore;
using Registry.Storage.Blobs;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;
using Registry.Oci;

namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Deletes one unreferenced blob: its row, every repository's link to it, then its bytes.
/// <para>
/// The race rule. Writers that make a blob used UPDATE its row (<c>last_referenced_at</c>) inside their own
/// transaction: an upload or mount linking it, a manifest push referencing it (which fails with
/// MANIFEST_BLOB_UNKNOWN when the row is gone). The sweep, in ONE transaction: (1) locks the row with an UPDATE
/// that matches only while <c>last_referenced_at</c> is still before the cutoff — PostgreSQL makes it wait for
/// any writer holding the row and then re-evaluates the condition on the writer's version; (2) re-checks in a
/// new statement (which sees everything committed before the lock) that no manifest references the digest;
/// (3) deletes links and row; (4) deletes the bytes; (5) commits. A writer that comes later waits on the row
/// until (5) and then finds the row gone (a manifest push fails, a mount falls back to an upload) or, for an
/// upload, inserts a new row and publishes its own staged bytes, because the old bytes were deleted before
/// the commit. Uploads touch the row before publishing their bytes for the same reason. On SQLite the
/// single writer (SqliteWriteGate) serializes the same steps. The blob.deleted event (no repository: the bytes were
/// global) commits with the deletion.
/// </para>
/// </summary>
internal sealed class BlobSweeper(RegistryDbContext db, IBlobStore store, EventOutbox outbox)
{
    /// <summary>True when the blob was deleted; false when a writer touched or referenced it since the mark.</summary>
    public async Task<bool> TrySweepAsync(string digest, DateTime cutoff, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Blobs.Where(b => b.Digest == digest && b.LastReferencedAt <= cutoff)
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.Size, b => b.Size), cancellationToken);
        if (locked == 0) return false;
        if (await db.ManifestReferences.AnyAsync(r => r.Digest == digest && r.Kind == ManifestReferenceKind.Blob, cancellationToken))
            return false;
        await db.RepositoryBlobs.Where(l => l.Digest == digest).ExecuteDeleteAsync(cancellationToken);
        await db.Blobs.Where(b => b.Digest == digest).ExecuteDeleteAsync(cancellationToken);
        await store.DeleteAsync(Digest.Parse(digest), cancellationToken);
        await outbox.WriteAsync([new RegistryEvent(EventTypes.BlobDeleted, "", digest)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
