using Microsoft.EntityFrameworkCore;
using Registry.Api.Manifests;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Storage.GarbageCollection;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;
using Registry.Storage.Policies;

namespace Registry.Api.Policies.Retention;

/// <summary>
/// Runs every organization's retention rules: plans each matching repository (<see cref="RetentionPlanner"/>),
/// then, unless it is a dry run, deletes tags and then untagged manifests one transaction each, every deletion
/// with its audit entry and its event (tag.deleted / manifest.deleted) committed together. Deletions re-check
/// under lock (a tag that moved since the plan, a manifest tagged or referenced since, stays), so two replicas
/// running at once delete each thing once and need no lock of their own. Blob bytes go with the next collection.
/// </summary>
public sealed class RetentionRunner(RegistryDbContext db, TagImmutability immutability, TagSweeper tagSweeper, ManifestSweeper manifestSweeper,
    RepositoryPolicies policies, ManifestTagCache cache, TimeProvider time, ILogger<RetentionRunner> logger)
{
    public async Task<RetentionReport> RunAsync(bool dryRun, RetentionActor actor, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow().UtcDateTime;
        var audit = new AuditLog(db, time);
        var tags = new List<RetentionTagEntry>();
        var manifests = new List<RetentionManifestEntry>();
        var protectedTags = new List<RetentionProtectedEntry>();
        var rules = await db.Set<RetentionRuleEntity>().AsNoTracking().OrderBy(r => r.Organization).ThenBy(r => r.Position).ToListAsync(cancellationToken);
        foreach (var organization in rules.GroupBy(r => r.Organization))
        {
            var prefix = OrganizationScope.PrefixOf(organization.Key);
            var repositories = await db.Repositories.AsNoTracking().Where(r => r.Name.StartsWith(prefix))
                .OrderBy(r => r.Name).Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken);
            foreach (var repository in repositories)
            {
                var relative = repository.Name[prefix.Length..];
                var matching = organization.Where(r => RepositoryPattern.WildcardMatches(r.Repositories, relative)).ToList();
                if (matching.Count == 0) continue;
                var snapshot = await SnapshotAsync(repository.Id, repository.Name, cancellationToken);
                var immutableOf = await immutability.MatcherForAsync(repository.Name, cancellationToken);
                var plan = RetentionPlanner.Plan(snapshot, matching, tag => immutableOf(tag) is { } rule ? TagImmutability.Describe(rule) : null, started);
                protectedTags.AddRange(plan.Protected.Select(p => new RetentionProtectedEntry(repository.Name, p.Tag, p.Digest, p.ImmutableRule)));
                if (dryRun)
                {
                    tags.AddRange(plan.Tags.Select(t => new RetentionTagEntry(repository.Name, t.Tag, t.Digest, t.Rule, t.Reason)));
                    manifests.AddRange(plan.Manifests.Select(m => new RetentionManifestEntry(repository.Name, m.Manifest.Digest, m.Rule, m.Reason)));
                    continue;
                }
                await DeleteTagsAsync(snapshot, plan, organization.Key, actor, audit, tags, cancellationToken);
                await DeleteManifestsAsync(snapshot, plan, organization.Key, actor, audit, manifests, cancellationToken);
            }
        }
        var report = new RetentionReport(dryRun, started, time.GetUtcNow().UtcDateTime, tags, manifests, protectedTags);
        logger.LogInformation("Retention{DryRun}: {Tags} tags and {Manifests} manifests deleted, {Protected} tags kept by immutable rules",
            dryRun ? " (dry run)" : "", tags.Count, manifests.Count, protectedTags.Count);
        return report;
    }

    private async Task<RepositorySnapshot> SnapshotAsync(long repositoryId, string name, CancellationToken cancellationToken)
    {
        var tags = await db.Tags.AsNoTracking().Where(t => t.RepositoryId == repositoryId)
            .Select(t => new TagState(t.Name, t.ManifestId, t.UpdatedAt)).ToListAsync(cancellationToken);
        var manifests = await db.Manifests.AsNoTracking().Where(m => m.RepositoryId == repositoryId)
            .Select(m => new ManifestState(m.Id, m.Digest, m.SubjectDigest, m.CreatedAt, m.Size)).ToListAsync(cancellationToken);
        var children = await (
            from r in db.ManifestReferences
            join m in db.Manifests on r.ManifestId equals m.Id
            where m.RepositoryId == repositoryId && r.Kind == ManifestReferenceKind.Manifest
            select new ChildReference(r.ManifestId, r.Digest)).ToListAsync(cancellationToken);
        return new RepositorySnapshot(repositoryId, name, tags, manifests, children);
    }

    private async Task DeleteTagsAsync(RepositorySnapshot repository, RetentionPlan plan, string organization, RetentionActor actor, AuditLog audit,
        List<RetentionTagEntry> deleted, CancellationToken cancellationToken)
    {
        foreach (var tag in plan.Tags)
        {
            var removed = await tagSweeper.TryDeleteAsync(repository.Name, repository.Id, tag.Tag, tag.ManifestId, tag.Digest, async ct =>
            {
                audit.Add(actor.Name, actor.ClientAddress, "retention.tag.delete", $"{repository.Name}:{tag.Tag}", organization,
                    $"digest={tag.Digest} rule={tag.Rule}: {tag.Reason}");
                await db.SaveChangesAsync(ct);
            }, cancellationToken);
            if (!removed) continue;
            cache.Invalidate(repository.Name, tag.Tag);
            deleted.Add(new RetentionTagEntry(repository.Name, tag.Tag, tag.Digest, tag.Rule, tag.Reason));
        }
    }

    /// <summary>Indexes before their children, and again while anything goes: a child is only free once its index is gone.</summary>
    private async Task DeleteManifestsAsync(RepositorySnapshot repository, RetentionPlan plan, string organization, RetentionActor actor, AuditLog audit,
        List<RetentionManifestEntry> deleted, CancellationToken cancellationToken)
    {
        var remaining = plan.Manifests.OrderByDescending(m => m.IsIndex).ToList();
        var before = deleted.Count;
        bool progress;
        do
        {
            progress = false;
            foreach (var planned in remaining.ToList())
            {
                var manifest = new UnreachableManifest(planned.Manifest.Id, repository.Id, repository.Name, planned.Manifest.Digest, planned.Manifest.Size, planned.IsIndex);
                var removed = await manifestSweeper.TrySweepAsync(manifest, planned.Cutoff, cancellationToken, async ct =>
                {
                    audit.Add(actor.Name, actor.ClientAddress, "retention.manifest.delete", $"{repository.Name}@{manifest.Digest}", organization,
                        $"rule={planned.Rule}: {planned.Reason}");
                    await db.SaveChangesAsync(ct);
                });
                if (!removed) continue;
                deleted.Add(new RetentionManifestEntry(repository.Name, manifest.Digest, planned.Rule, planned.Reason));
                remaining.Remove(planned);
                progress = true;
            }
        } while (progress && remaining.Count > 0);
        if (deleted.Count == before) return;
        cache.InvalidateRepository(repository.Name);
        await policies.ManifestDeletedAsync(repository.Name, cancellationToken);
    }
}
