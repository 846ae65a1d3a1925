using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Manifests;
using Registry.Storage.Metadata.Entities;
using Registry.Storage.Policies;
using Registry.Oci;

namespace Registry.Storage.Metadata;

// Manifests and tags.
public sealed partial class EfMetadataStore
{
    public async Task<IReadOnlyList<string>> FindMissingReferencesAsync(string repository, ParsedManifest manifest, CancellationToken cancellationToken)
    {
        var blobDigests = manifest.RequiredBlobDigests.ToList();
        var manifestDigests = manifest.Manifests.Select(d => d.Digest).Distinct().ToList();
        if (blobDigests.Count == 0 && manifestDigests.Count == 0) return [];
        var repositoryId = await FindRepositoryIdAsync(repository, cancellationToken);
        if (repositoryId is null) return [.. blobDigests, .. manifestDigests];
        var presentBlobs = blobDigests.Count == 0 ? [] : await db.RepositoryBlobs
            .Where(l => l.RepositoryId == repositoryId && blobDigests.Contains(l.Digest))
            .Select(l => l.Digest).ToListAsync(cancellationToken);
        var presentManifests = manifestDigests.Count == 0 ? [] : await db.Manifests
            .Where(m => m.RepositoryId == repositoryId && manifestDigests.Contains(m.Digest))
            .Select(m => m.Digest).ToListAsync(cancellationToken);
        return [.. blobDigests.Except(presentBlobs), .. manifestDigests.Except(presentManifests)];
    }

    public async Task PutManifestAsync(string repository, Digest digest, ParsedManifest manifest, byte[] content, string? tag, UsageCharge? charge,
        CancellationToken cancellationToken)
    {
        var text = digest.ToString();
        var now = time.GetUtcNow().UtcDateTime;
        var annotations = manifest.Annotations is null ? null : JsonSerializer.Serialize(manifest.Annotations);
        var subject = manifest.Subject?.Digest;
        var size = (long)content.Length;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (charge is { Bytes: not 0 })
            await db.Database.ExecuteSqlAsync(
                $"UPDATE organization_usage SET bytes = bytes + {charge.Bytes} WHERE organization = {charge.Organization}", cancellationToken);
        var events = new List<RegistryEvent>();
        var repositoryId = await EnsureRepositoryAsync(repository, events, cancellationToken);
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO manifests (repository_id, digest, media_type, artifact_type, subject_digest, annotations_json, content, size, created_at)
            VALUES ({repositoryId}, {text}, {manifest.MediaType}, {manifest.ArtifactType}, {subject}, {annotations}, {content}, {size}, {now})
            ON CONFLICT (repository_id, digest) DO NOTHING
            """, cancellationToken);
        var manifestId = await db.Manifests.Where(m => m.RepositoryId == repositoryId && m.Digest == text)
            .Select(m => m.Id).FirstAsync(cancellationToken);
        await HoldReferencesAsync(repositoryId, text, manifest, now, cancellationToken);
        var references = manifest.Blobs.Select(d => (d.Digest, Kind: ManifestReferenceKind.Blob))
            .Concat(manifest.Manifests.Select(d => (d.Digest, Kind: ManifestReferenceKind.Manifest)))
            .DistinctBy(r => r.Digest);
        foreach (var (referenced, kind) in references)
        {
            var kindValue = (int)kind;
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO manifest_references (manifest_id, digest, kind) VALUES ({manifestId}, {referenced}, {kindValue}) ON CONFLICT (manifest_id, digest) DO NOTHING",
                cancellationToken);
        }
        if (tag is not null)
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO tags (repository_id, name, manifest_id, updated_at) VALUES ({repositoryId}, {tag}, {manifestId}, {now})
                ON CONFLICT (repository_id, name) DO UPDATE SET manifest_id = excluded.manifest_id, updated_at = excluded.updated_at
                """, cancellationToken);
        }
        events.Add(new RegistryEvent(EventTypes.ManifestPushed, repository, text, tag, manifest.MediaType, size));
        if (inserted > 0 && subject is not null)
            events.Add(new RegistryEvent(EventTypes.ReferrerAdded, repository, text, null, manifest.MediaType, size, subject, manifest.ArtifactType));
        await outbox.WriteAsync(events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<StoredManifest?> GetManifestAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var text = digest.ToString();
        return await (
            from m in db.Manifests
            join r in db.Repositories on m.RepositoryId equals r.Id
            where r.Name == repository && m.Digest == text
            select new StoredManifest(m.Digest, m.MediaType, m.Content, m.SubjectDigest)).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<StoredManifest?> GetTaggedManifestAsync(string repository, string tag, CancellationToken cancellationToken) =>
        await (
            from t in db.Tags
            join r in db.Repositories on t.RepositoryId equals r.Id
            join m in db.Manifests on t.ManifestId equals m.Id
            where r.Name == repository && t.Name == tag
            select new StoredManifest(m.Digest, m.MediaType, m.Content, m.SubjectDigest)).FirstOrDefaultAsync(cancellationToken);

    public async Task<bool> DeleteManifestAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var repositoryId = await FindRepositoryIdAsync(repository, cancellationToken);
        if (repositoryId is null) return false;
        var text = digest.ToString();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var manifestIds = db.Manifests.Where(m => m.RepositoryId == repositoryId && m.Digest == text).Select(m => m.Id);
        var tags = await db.Tags.Where(t => manifestIds.Contains(t.ManifestId)).Select(t => t.Name).ToListAsync(cancellationToken);
        await db.Tags.Where(t => manifestIds.Contains(t.ManifestId)).ExecuteDeleteAsync(cancellationToken);
        await ReleaseBlobReferencesAsync(manifestIds, cancellationToken);
        await db.ManifestReferences.Where(r => manifestIds.Contains(r.ManifestId)).ExecuteDeleteAsync(cancellationToken);
        var removed = await db.Manifests.Where(m => m.RepositoryId == repositoryId && m.Digest == text).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
        {
            List<RegistryEvent> events = [.. tags.Select(tag => new RegistryEvent(EventTypes.TagDeleted, repository, text, tag))];
            events.Add(new RegistryEvent(EventTypes.ManifestDeleted, repository, text));
            await outbox.WriteAsync(events, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return removed > 0;
    }

    public async Task<bool> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        var repositoryId = await FindRepositoryIdAsync(repository, cancellationToken);
        if (repositoryId is null) return false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var tagged = db.Tags.Where(t => t.RepositoryId == repositoryId && t.Name == tag);
        var digest = await tagged.Join(db.Manifests, t => t.ManifestId, m => m.Id, (_, m) => m.Digest).FirstOrDefaultAsync(cancellationToken);
        var removed = await tagged.ExecuteDeleteAsync(cancellationToken) > 0;
        if (removed) await outbox.WriteAsync([new RegistryEvent(EventTypes.TagDeleted, repository, digest, tag)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }
}
