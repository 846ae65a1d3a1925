using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Storage.Blobs;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.GarbageCollection;

/// <summary>
/// Online garbage collection: runs while the registry serves pushes and pulls. Marks from the metadata
/// database (every manifest, or with DeleteUntaggedManifests only what tags reach), then sweeps blobs that no
/// manifest references and nothing touched within the grace period, then purges idle upload sessions and
/// staging left without a session, and last prunes the event log past its retention.
/// Each deletion re-checks under a row lock (see <see cref="BlobSweeper"/> for the race rule).
/// </summary>
public sealed class GarbageCollector(
    RegistryDbContext db, IBlobStore store, GarbageCollectionOptions options,
    CollectorLock collectorLock, EventOutbox outbox, EventOrigin origin, EventPruner pruner, TimeProvider time, ILogger<GarbageCollector> logger)
{
    /// <summary>
    /// Runs one collection; with <paramref name="dryRun"/> reports what would go and deletes nothing.
    /// Null when another collection (on this or another replica) is running.
    /// </summary>
    public async Task<GarbageCollectionReport?> RunAsync(bool dryRun, CancellationToken cancellationToken)
    {
        await using var hold = await collectorLock.TryAcquireAsync(cancellationToken);
        if (hold is null) return null;
        origin.AsSystem("garbage-collection");
        var started = time.GetUtcNow().UtcDateTime;
        var cutoff = started - options.GracePeriod;

        var manifests = new List<string>();
        if (options.DeleteUntaggedManifests)
        {
            var unreachable = await new ReachabilityMarker(db).FindUnreachableAsync(cutoff, cancellationToken);
            if (dryRun) manifests.AddRange(unreachable.Select(Describe));
            else await SweepManifestsAsync(unreachable, cutoff, manifests, cancellationToken);
        }

        var candidates = await db.Blobs.AsNoTracking()
            .Where(b => b.LastReferencedAt <= cutoff
                && !db.ManifestReferences.Any(r => r.Digest == b.Digest && r.Kind == ManifestReferenceKind.Blob))
            .Select(b => new { b.Digest, b.Size }).ToListAsync(cancellationToken);
        var blobs = new List<string>();
        long bytesFreed = 0;
        var sweeper = new BlobSweeper(db, store, outbox);
        foreach (var blob in candidates)
        {
            if (!dryRun && !await sweeper.TrySweepAsync(blob.Digest, cutoff, cancellationToken)) continue;
            blobs.Add(blob.Digest);
            bytesFreed += blob.Size;
        }

        var uploads = new List<string>();
        var purger = new UploadPurger(db, store);
        var uploadCutoff = started - options.UploadTtl;
        foreach (var (id, bytes) in await purger.FindStaleAsync(uploadCutoff, cancellationToken))
        {
            if (!dryRun && !await purger.TryPurgeAsync(id, uploadCutoff, cancellationToken)) continue;
            uploads.Add(id);
            bytesFreed += bytes;
        }
        foreach (var orphan in await purger.FindOrphansAsync(uploadCutoff, cancellationToken))
        {
            if (!dryRun && !await purger.TryPurgeOrphanAsync(orphan.Id, cancellationToken)) continue;
            uploads.Add(orphan.Id);
            bytesFreed += orphan.Bytes;
        }

        if (!dryRun)
        {
            var pruned = await pruner.PruneAsync(cancellationToken);
            if (pruned > 0) logger.LogInformation("Pruned {Events} events past their retention", pruned);
        }

        var report = new GarbageCollectionReport(dryRun, started, time.GetUtcNow().UtcDateTime, manifests, blobs, uploads, bytesFreed, candidates.Count - blobs.Count);
        logger.LogInformation(
            "Garbage collection{DryRun}: {Manifests} manifests, {Blobs} blobs, {Uploads} uploads, {Bytes} bytes; {Kept} candidates kept by concurrent pushes",
            dryRun ? " (dry run)" : "", manifests.Count, blobs.Count, uploads.Count, bytesFreed, report.BlobsKept);
        return report;
    }

    /// <summary>Parents before children, and again while anything goes: a child is only free once its index is gone.</summary>
    private async Task SweepManifestsAsync(IReadOnlyList<UnreachableManifest> unreachable, DateTime cutoff, List<string> deleted, CancellationToken cancellationToken)
    {
        var sweeper = new ManifestSweeper(db, outbox, time);
        var remaining = unreachable.OrderByDescending(m => m.IsIndex).ToList();
        bool progress;
        do
        {
            progress = false;
            foreach (var manifest in remaining.ToList())
            {
                if (!await sweeper.TrySweepAsync(manifest, cutoff, cancellationToken)) continue;
                deleted.Add(Describe(manifest));
                remaining.Remove(manifest);
                progress = true;
            }
        } while (progress && remaining.Count > 0);
    }

    private static string Describe(UnreachableManifest manifest) => $"{manifest.Repository}@{manifest.Digest}";
}
