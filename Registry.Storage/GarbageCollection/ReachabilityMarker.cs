using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;

namespace Registry.Storage.GarbageCollection;

/// <summary>A manifest no tag reaches, as the mark found it.</summary>
public sealed record UnreachableManifest(long Id, long RepositoryId, string Repository, string Digest, long Size, bool IsIndex);

/// <summary>
/// The mark for <c>DeleteUntaggedManifests</c>: from every tagged manifest (and every manifest younger than the
/// grace period, which a push in progress may be about to tag or reference), follow index children and
/// referrers (manifests whose subject is reachable) within each repository. Everything else is unreachable.
/// </summary>
internal sealed class ReachabilityMarker(RegistryDbContext db)
{
    public async Task<IReadOnlyList<UnreachableManifest>> FindUnreachableAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        var manifests = await db.Manifests.AsNoTracking()
            .Select(m => new { m.Id, m.RepositoryId, m.Digest, m.SubjectDigest, m.CreatedAt, m.Size }).ToListAsync(cancellationToken);
        var tagged = await db.Tags.AsNoTracking().Select(t => t.ManifestId).Distinct().ToListAsync(cancellationToken);
        var children = await db.ManifestReferences.AsNoTracking().Where(r => r.Kind == ManifestReferenceKind.Manifest)
            .Select(r => new { r.ManifestId, r.Digest }).ToListAsync(cancellationToken);

        var byKey = manifests.ToDictionary(m => (m.RepositoryId, m.Digest), m => m.Id);
        var repositoryOf = manifests.ToDictionary(m => m.Id, m => m.RepositoryId);
        var edges = new Dictionary<long, List<long>>();
        void AddEdge(long from, long to)
        {
            if (!edges.TryGetValue(from, out var list)) edges[from] = list = [];
            list.Add(to);
        }
        foreach (var child in children)
            if (byKey.TryGetValue((repositoryOf[child.ManifestId], child.Digest), out var childId)) AddEdge(child.ManifestId, childId);
        foreach (var referrer in manifests.Where(m => m.SubjectDigest is not null))
            if (byKey.TryGetValue((referrer.RepositoryId, referrer.SubjectDigest!), out var subjectId)) AddEdge(subjectId, referrer.Id);

        var reachable = new HashSet<long>();
        var pending = new Stack<long>(tagged.Concat(manifests.Where(m => m.CreatedAt > cutoff).Select(m => m.Id)));
        while (pending.Count > 0)
        {
            var id = pending.Pop();
            if (!reachable.Add(id) || !edges.TryGetValue(id, out var next)) continue;
            foreach (var to in next) pending.Push(to);
        }

        var indexes = children.Select(c => c.ManifestId).ToHashSet();
        var repositoryIds = manifests.Where(m => !reachable.Contains(m.Id)).Select(m => m.RepositoryId).Distinct().ToList();
        var names = await db.Repositories.AsNoTracking().Where(r => repositoryIds.Contains(r.Id))
            .ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
        return manifests.Where(m => !reachable.Contains(m.Id))
            .Select(m => new UnreachableManifest(m.Id, m.RepositoryId, names[m.RepositoryId], m.Digest, m.Size, indexes.Contains(m.Id)))
            .ToList();
    }
}
