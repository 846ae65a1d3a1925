using Registry.Auth.Permissions;
using Registry.Storage.Policies;

namespace Registry.Api.Policies.Retention;

/// <summary>A repository's tags and manifests as retention sees them, read once per run.</summary>
public sealed record RepositorySnapshot(long Id, string Name, IReadOnlyList<TagState> Tags, IReadOnlyList<ManifestState> Manifests,
    IReadOnlyList<ChildReference> Children);

/// <summary>A tag and when it was last pushed (moved onto its manifest).</summary>
public sealed record TagState(string Name, long ManifestId, DateTime PushedAt);

public sealed record ManifestState(long Id, string Digest, string? SubjectDigest, DateTime CreatedAt, long Size);

/// <summary>An index (<see cref="ParentId"/>) naming a child manifest by digest.</summary>
public sealed record ChildReference(long ParentId, string ChildDigest);

public sealed record PlannedTag(string Tag, long ManifestId, string Digest, int Rule, string Reason);
public sealed record PlannedManifest(ManifestState Manifest, bool IsIndex, int Rule, DateTime Cutoff, string Reason);
public sealed record ProtectedTag(string Tag, string Digest, string ImmutableRule);
public sealed record RetentionPlan(IReadOnlyList<PlannedTag> Tags, IReadOnlyList<PlannedManifest> Manifests, IReadOnlyList<ProtectedTag> Protected);

/// <summary>
/// Decides what retention deletes in one repository, without touching anything (a dry run is this plan).
/// Rules delete: a tag or manifest goes when any rule says so, the first such rule is named. Tags an immutable
/// rule covers still count among the most recent ones, but are never planned for deletion.
/// </summary>
public static class RetentionPlanner
{
    /// <param name="rules">The organization's rules that match this repository, in order.</param>
    /// <param name="immutableRuleOf">The immutable rule covering a tag, described, or null.</param>
    public static RetentionPlan Plan(RepositorySnapshot repository, IReadOnlyList<RetentionRuleEntity> rules,
        Func<string, string?> immutableRuleOf, DateTime now)
    {
        var digestOf = repository.Manifests.ToDictionary(m => m.Id, m => m.Digest);
        var tags = new Dictionary<string, PlannedTag>();
        var protectedTags = new Dictionary<string, ProtectedTag>();
        foreach (var rule in rules.Where(r => r.KeepLast is not null || r.OlderThanDays is not null))
        {
            var matching = repository.Tags.Where(t => RepositoryPattern.WildcardMatches(rule.Tags, t.Name))
                .OrderByDescending(t => t.PushedAt).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
            var ageCutoff = rule.OlderThanDays is { } days ? now.AddDays(-days) : DateTime.MaxValue;
            for (var rank = rule.KeepLast ?? 0; rank < matching.Count; rank++)
            {
                var tag = matching[rank];
                if (tag.PushedAt >= ageCutoff || tags.ContainsKey(tag.Name) || protectedTags.ContainsKey(tag.Name)) continue;
                var digest = digestOf[tag.ManifestId];
                if (immutableRuleOf(tag.Name) is { } immutable) protectedTags[tag.Name] = new ProtectedTag(tag.Name, digest, immutable);
                else tags[tag.Name] = new PlannedTag(tag.Name, tag.ManifestId, digest, rule.Position, DescribeTagRule(rule));
            }
        }
        var manifests = PlanUntagged(repository, rules, tags.Keys.ToHashSet(), now);
        return new RetentionPlan([.. tags.Values], manifests, [.. protectedTags.Values]);
    }

    /// <summary>Manifests no remaining tag reaches (directly, as an index child, or as a referrer of a reached one).</summary>
    private static List<PlannedManifest> PlanUntagged(RepositorySnapshot repository, IReadOnlyList<RetentionRuleEntity> rules,
        HashSet<string> deletedTags, DateTime now)
    {
        // The rule with the fewest days decides: it deletes whatever a slower rule would, and sooner.
        var rule = rules.Where(r => r.UntaggedOlderThanDays is not null).MinBy(r => r.UntaggedOlderThanDays);
        if (rule is null) return [];
        var idOf = repository.Manifests.ToDictionary(m => m.Digest, m => m.Id);
        var next = new Dictionary<long, List<long>>();
        void Link(long from, long to)
        {
            if (!next.TryGetValue(from, out var list)) next[from] = list = [];
            list.Add(to);
        }
        foreach (var child in repository.Children)
            if (idOf.TryGetValue(child.ChildDigest, out var childId)) Link(child.ParentId, childId);
        foreach (var referrer in repository.Manifests.Where(m => m.SubjectDigest is not null))
            if (idOf.TryGetValue(referrer.SubjectDigest!, out var subjectId)) Link(subjectId, referrer.Id);

        var reached = new HashSet<long>();
        var pending = new Stack<long>(repository.Tags.Where(t => !deletedTags.Contains(t.Name)).Select(t => t.ManifestId));
        while (pending.Count > 0)
        {
            var id = pending.Pop();
            if (!reached.Add(id) || !next.TryGetValue(id, out var targets)) continue;
            foreach (var target in targets) pending.Push(target);
        }

        var cutoff = now.AddDays(-rule.UntaggedOlderThanDays!.Value);
        var indexes = repository.Children.Select(c => c.ParentId).ToHashSet();
        return repository.Manifests.Where(m => !reached.Contains(m.Id) && m.CreatedAt < cutoff)
            .Select(m => new PlannedManifest(m, indexes.Contains(m.Id), rule.Position, cutoff,
                $"untagged and pushed more than {rule.UntaggedOlderThanDays} days ago"))
            .ToList();
    }

    private static string DescribeTagRule(RetentionRuleEntity rule) => (rule.KeepLast, rule.OlderThanDays) switch
    {
        ({ } keep, { } days) => $"beyond the {keep} most recently pushed '{rule.Tags}' tags and pushed more than {days} days ago",
        ({ } keep, null) => $"beyond the {keep} most recently pushed '{rule.Tags}' tags",
        _ => $"a '{rule.Tags}' tag pushed more than {rule.OlderThanDays} days ago",
    };
}
