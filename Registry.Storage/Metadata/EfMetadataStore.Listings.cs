using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Registry.Oci;

namespace Registry.Storage.Metadata;

// Tag lists, the catalog and referrers.
public sealed partial class EfMetadataStore
{
    public async Task<IReadOnlyList<string>?> ListTagsAsync(string repository, string? last, int limit, CancellationToken cancellationToken)
    {
        var repositoryId = await FindRepositoryIdAsync(repository, cancellationToken);
        if (repositoryId is null) return null;
        var query = db.Tags.Where(t => t.RepositoryId == repositoryId);
        if (last is not null) query = query.Where(t => string.Compare(t.Name, last) > 0);
        return await query.OrderBy(t => t.Name).Take(limit).Select(t => t.Name).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(string? last, int limit, CancellationToken cancellationToken)
    {
        var query = db.Repositories.AsQueryable();
        if (last is not null) query = query.Where(r => string.Compare(r.Name, last) > 0);
        return await query.OrderBy(r => r.Name).Take(limit).Select(r => r.Name).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        var repositoryId = await FindRepositoryIdAsync(repository, cancellationToken);
        if (repositoryId is null) return [];
        var text = subject.ToString();
        var query = db.Manifests.Where(m => m.RepositoryId == repositoryId && m.SubjectDigest == text);
        if (artifactType is not null) query = query.Where(m => m.ArtifactType == artifactType);
        var rows = await query.OrderBy(m => m.Id)
            .Select(m => new { m.MediaType, m.Digest, m.Size, m.ArtifactType, m.AnnotationsJson })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new Descriptor(r.MediaType, r.Digest, r.Size)
        {
            ArtifactType = r.ArtifactType,
            Annotations = r.AnnotationsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.AnnotationsJson),
        }).ToList();
    }
}
