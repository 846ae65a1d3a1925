using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Manifests;
using Registry.Storage.Metadata.Entities;
using Registry.Oci;

namespace Registry.Storage.Metadata;

// Taking and releasing references in a way garbage collection can see. Every writer that makes a blob or a
// manifest "used" UPDATEs its row inside the writer's transaction; the sweep locks the same row before it
// re-checks and deletes (GarbageCollection/BlobSweeper.cs), so one of the two always waits for the other.
public sealed partial class EfMetadataStore
{
    public async Task<long?> TryLinkExistingBlobAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var text = digest.ToString();
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Never INSERT the blob row here: a row without bytes would be a lie. Zero rows touched means a sweep
        // deleted the blob (or it never existed) and the caller must upload it.
        var touched = await db.Blobs.Where(b => b.Digest == text)
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.LastReferencedAt, now), cancellationToken);
        if (touched == 0) return null;
        var events = new List<RegistryEvent>();
        var repositoryId = await EnsureRepositoryAsync(repository, events, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES ({repositoryId}, {text}, {now}) ON CONFLICT (repository_id, digest) DO NOTHING",
            cancellationToken);
        var size = await db.Blobs.Where(b => b.Digest == text).Select(b => b.Size).FirstAsync(cancellationToken);
        await outbox.WriteAsync(events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return size;
    }

    /// <summary>
    /// Inside a manifest push's transaction: touches every referenced blob and locks every referenced child
    /// manifest (and the manifest itself), failing when a sweep removed one since the missing-references check.
    /// </summary>
    /// <exception cref="MissingReferencesException">when a referenced blob or child manifest is gone.</exception>
    private async Task HoldReferencesAsync(long repositoryId, string self, ParsedManifest manifest, DateTime now, CancellationToken cancellationToken)
    {
        // Foreign layers are touched too when they happen to be here, but only the required blobs must be.
        var blobs = manifest.Blobs.Select(d => d.Digest).Distinct().ToList();
        var required = manifest.RequiredBlobDigests.ToList();
        var missing = new List<string>();
        if (blobs.Count > 0)
        {
            var held = await db.Blobs.Where(b => blobs.Contains(b.Digest))
                .ExecuteUpdateAsync(set => set.SetProperty(b => b.LastReferencedAt, now), cancellationToken);
            if (held != blobs.Count)
            {
                var present = await db.Blobs.Where(b => blobs.Contains(b.Digest)).Select(b => b.Digest).ToListAsync(cancellationToken);
                missing.AddRange(required.Except(present));
            }
        }
        var manifests = manifest.Manifests.Select(d => d.Digest).Append(self).Distinct().ToList();
        // A no-op UPDATE is the portable row lock (SQLite has no SELECT … FOR UPDATE).
        var lockedManifests = await db.Manifests.Where(m => m.RepositoryId == repositoryId && manifests.Contains(m.Digest))
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Size, m => m.Size), cancellationToken);
        if (lockedManifests != manifests.Count)
        {
            var present = await db.Manifests.Where(m => m.RepositoryId == repositoryId && manifests.Contains(m.Digest))
                .Select(m => m.Digest).ToListAsync(cancellationToken);
            missing.AddRange(manifests.Except(present));
        }
        if (missing.Count > 0) throw new MissingReferencesException(missing);
    }

    /// <summary>Starts the grace period of the blobs that manifests about to be deleted reference.</summary>
    private async Task ReleaseBlobReferencesAsync(IQueryable<long> manifestIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var released = db.ManifestReferences
            .Where(r => manifestIds.Contains(r.ManifestId) && r.Kind == ManifestReferenceKind.Blob)
            .Select(r => r.Digest);
        await db.Blobs.Where(b => released.Contains(b.Digest))
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.LastReferencedAt, now), cancellationToken);
    }
}
