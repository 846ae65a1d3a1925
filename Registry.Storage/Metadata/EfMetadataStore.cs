using Microsoft.EntityFrameworkCore;
using Registry.Oci;
using Registry.Storage.Events;

namespace Registry.Storage.Metadata;

/// <summary>
/// <see cref="IMetadataStore"/> on EF Core. Idempotent inserts use <c>INSERT … ON CONFLICT DO NOTHING</c>,
/// which SQLite and PostgreSQL share, so concurrent pushes of one blob or repository never fail on a
/// unique key. Every change writes its events (<see cref="EventOutbox"/>) as the last step of its transaction.
/// This file: repositories and blob links; manifests, tags and listings are beside it.
/// </summary>
public sealed partial class EfMetadataStore(RegistryDbContext db, EventOutbox outbox, TimeProvider time) : IMetadataStore
{
    public async Task<bool> LinkUploadedBlobAsync(string repository, Digest digest, long size, string uploadId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var events = new List<RegistryEvent>();
        var linked = await InsertBlobLinkAsync(repository, digest, size, events, cancellationToken);
        await db.UploadSessions.Where(u => u.Id == uploadId).ExecuteDeleteAsync(cancellationToken);
        await outbox.WriteAsync(events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return linked;
    }

    // Callers hold a transaction. Creates the blob row or renews its last_referenced_at (under
    // the row lock a garbage-collection sweep also takes); true when the repository's link is new.
    private async Task<bool> InsertBlobLinkAsync(string repository, Digest digest, long size, List<RegistryEvent> events, CancellationToken cancellationToken)
    {
        var repositoryId = await EnsureRepositoryAsync(repository, events, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var text = digest.ToString();
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO blobs (digest, size, created_at, last_referenced_at) VALUES ({text}, {size}, {now}, {now}) ON CONFLICT (digest) DO UPDATE SET last_referenced_at = excluded.last_referenced_at",
            cancellationToken);
        var linked = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES ({repositoryId}, {text}, {now}) ON CONFLICT (repository_id, digest) DO NOTHING",
            cancellationToken);
        return linked > 0;
    }

    public async Task<long?> GetLinkedBlobSizeAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var text = digest.ToString();
        var sizes = await (
            from link in db.RepositoryBlobs
            join repo in db.Repositories on link.RepositoryId equals repo.Id
            join blob in db.Blobs on link.Digest equals blob.Digest
            where repo.Name == repository && link.Digest == text
            select blob.Size).Take(1).ToListAsync(cancellationToken);
        return sizes.Count == 0 ? null : sizes[0];
    }

    public async Task<IReadOnlyList<string>> FindRepositoriesHoldingBlobAsync(Digest digest, int limit, CancellationToken cancellationToken)
    {
        var text = digest.ToString();
        return await (
            from link in db.RepositoryBlobs
            join repo in db.Repositories on link.RepositoryId equals repo.Id
            where link.Digest == text
            orderby repo.Name
            select repo.Name).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<bool> UnlinkBlobAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var repositoryId = await FindRepositoryIdAsync(repository, cancellationToken);
        if (repositoryId is null) return false;
        var text = digest.ToString();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var removed = await db.RepositoryBlobs
            .Where(l => l.RepositoryId == repositoryId && l.Digest == text)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed > 0) await outbox.WriteAsync([new RegistryEvent(EventTypes.BlobDeleted, repository, text)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed > 0;
    }

    private async Task<long?> FindRepositoryIdAsync(string repository, CancellationToken cancellationToken)
    {
        var ids = await db.Repositories.Where(r => r.Name == repository).Select(r => r.Id).Take(1).ToListAsync(cancellationToken);
        return ids.Count == 0 ? null : ids[0];
    }

    // Callers hold a transaction; a new repository adds its repository.created event to events.
    private async Task<long> EnsureRepositoryAsync(string repository, List<RegistryEvent> events, CancellationToken cancellationToken)
    {
        // Almost every call finds the repository: look before writing.
        if (await FindRepositoryIdAsync(repository, cancellationToken) is { } existing) return existing;
        var now = time.GetUtcNow().UtcDateTime;
        var created = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO repositories (name, created_at) VALUES ({repository}, {now}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
        if (created > 0) events.Add(new RegistryEvent(EventTypes.RepositoryCreated, repository));
        return (await FindRepositoryIdAsync(repository, cancellationToken))!.Value;
    }
}
