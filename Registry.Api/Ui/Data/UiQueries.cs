using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;

namespace Registry.Api.Ui.Data;

/// <summary>A repository's tag as a row of the tags page.</summary>
public sealed record TagRow(string Name, string Digest, string MediaType, long Size, DateTime PushedAt);

/// <summary>One page of tags with the total (paged and sorted in the database).</summary>
public sealed record TagPage(IReadOnlyList<TagRow> Tags, int Total);

/// <summary>How the tags page is ordered.</summary>
public enum TagOrder { PushedNewest, PushedOldest, Name }

/// <summary>
/// The read queries behind the UI pages. Every list is paged in the database so a page costs the same with ten
/// or ten thousand tags; access filtering stays with <see cref="UiViewer"/>.
/// </summary>
public sealed class UiQueries(RegistryDbContext db)
{
    /// <summary>Up to <paramref name="limit"/> repository names after <paramref name="after"/> containing <paramref name="search"/>.</summary>
    public async Task<IReadOnlyList<string>> RepositoriesAsync(string? search, string? after, int limit, CancellationToken cancellationToken)
    {
        var query = db.Repositories.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search)) query = query.Where(r => r.Name.Contains(search.Trim().ToLowerInvariant()));
        if (after is not null) query = query.Where(r => string.Compare(r.Name, after) > 0);
        return await query.OrderBy(r => r.Name).Take(limit).Select(r => r.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Page <paramref name="page"/> (from 0) of a repository's tags; null when the repository does not exist.</summary>
    public async Task<TagPage?> TagsAsync(string repository, TagOrder order, int page, int pageSize, CancellationToken cancellationToken)
    {
        var repositoryId = await db.Repositories.AsNoTracking().Where(r => r.Name == repository).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
        if (repositoryId is null) return null;
        var tags = db.Tags.AsNoTracking().Where(t => t.RepositoryId == repositoryId);
        var total = await tags.CountAsync(cancellationToken);
        var ordered = order switch
        {
            TagOrder.Name => tags.OrderBy(t => t.Name),
            TagOrder.PushedOldest => tags.OrderBy(t => t.UpdatedAt).ThenBy(t => t.Name),
            _ => tags.OrderByDescending(t => t.UpdatedAt).ThenBy(t => t.Name),
        };
        var rows = await ordered.Skip(page * pageSize).Take(pageSize)
            .Join(db.Manifests, t => t.ManifestId, m => m.Id, (t, m) => new { t.Name, m.Id, m.Digest, m.MediaType, m.Size, t.UpdatedAt })
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).Distinct().ToList();
        // An image's size: the manifest plus the blobs it references (config and layers), summed per manifest.
        var blobSizes = await db.ManifestReferences.AsNoTracking()
            .Where(r => ids.Contains(r.ManifestId) && r.Kind == ManifestReferenceKind.Blob)
            .Join(db.Blobs, r => r.Digest, b => b.Digest, (r, b) => new { r.ManifestId, b.Size })
            .GroupBy(x => x.ManifestId).Select(g => new { ManifestId = g.Key, Size = g.Sum(x => x.Size) })
            .ToDictionaryAsync(x => x.ManifestId, x => x.Size, cancellationToken);
        return new TagPage(rows.Select(r => new TagRow(r.Name, r.Digest, r.MediaType, r.Size + blobSizes.GetValueOrDefault(r.Id), r.UpdatedAt)).ToList(), total);
    }

    /// <summary>Tags of <paramref name="repository"/> that point at <paramref name="digest"/>.</summary>
    public async Task<IReadOnlyList<string>> TagsOfManifestAsync(string repository, string digest, CancellationToken cancellationToken) =>
        await (from t in db.Tags.AsNoTracking()
               join m in db.Manifests on t.ManifestId equals m.Id
               join r in db.Repositories on m.RepositoryId equals r.Id
               where r.Name == repository && m.Digest == digest
               orderby t.Name
               select t.Name).ToListAsync(cancellationToken);

    /// <summary>Sizes of blobs by digest (for the layers table).</summary>
    public async Task<Dictionary<string, long>> BlobSizesAsync(IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        await db.Blobs.AsNoTracking().Where(b => digests.Contains(b.Digest)).ToDictionaryAsync(b => b.Digest, b => b.Size, cancellationToken);

    /// <summary>
    /// Stored bytes against logical bytes: every repository's linked blobs counted once per repository (what clients
    /// would store without sharing) versus each blob once (what the registry stores).
    /// </summary>
    public async Task<StorageUsage> UsageAsync(CancellationToken cancellationToken)
    {
        var stored = await db.Blobs.AsNoTracking().SumAsync(b => (long?)b.Size, cancellationToken) ?? 0;
        var blobs = await db.Blobs.AsNoTracking().CountAsync(cancellationToken);
        var logical = await db.RepositoryBlobs.AsNoTracking().Join(db.Blobs, l => l.Digest, b => b.Digest, (l, b) => (long?)b.Size)
            .SumAsync(cancellationToken) ?? 0;
        var repositories = await db.Repositories.AsNoTracking().CountAsync(cancellationToken);
        return new StorageUsage(repositories, blobs, stored, logical);
    }
}

/// <summary>Storage totals; <see cref="DedupRatio"/> is logical over stored bytes (1 when nothing is shared).</summary>
public sealed record StorageUsage(int Repositories, int Blobs, long StoredBytes, long LogicalBytes)
{
    public double DedupRatio => StoredBytes == 0 ? 1 : (double)LogicalBytes / StoredBytes;
}
