using Registry.Api.Policies.Retention;
using Registry.Storage.Policies;

namespace Registry.Tests.Policies;

/// <summary>The retention decision alone: which tags and manifests a set of rules selects in one repository.</summary>
public sealed class RetentionPlannerTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void KeepLastAloneDeletesEveryMatchingTagBeyondTheMostRecentWhateverItsAge()
    {
        var repository = Repository(Tag("pr-1", 1, hoursAgo: 3), Tag("pr-2", 2, hoursAgo: 2), Tag("pr-3", 3, hoursAgo: 1), Tag("main", 4, hoursAgo: 500));
        var plan = RetentionPlanner.Plan(repository, [Rule(1, tags: "pr-*", keepLast: 1)], _ => null, Now);
        Assert.Equal(["pr-1", "pr-2"], plan.Tags.Select(t => t.Tag).Order());
        Assert.All(plan.Tags, t => Assert.Equal("beyond the 1 most recently pushed 'pr-*' tags", t.Reason));
    }

    [Fact]
    public void OlderThanAloneDeletesOnlyOldTagsAndBothTogetherNeedBoth()
    {
        var repository = Repository(Tag("a", 1, hoursAgo: 24 * 40), Tag("b", 2, hoursAgo: 24 * 31), Tag("c", 3, hoursAgo: 24 * 29));
        Assert.Equal(["a", "b"], RetentionPlanner.Plan(repository, [Rule(1, olderThanDays: 30)], _ => null, Now).Tags.Select(t => t.Tag).Order());
        // b is old but among the 2 most recent; only a is both beyond and old.
        Assert.Equal(["a"], RetentionPlanner.Plan(repository, [Rule(1, keepLast: 2, olderThanDays: 30)], _ => null, Now).Tags.Select(t => t.Tag));
    }

    [Fact]
    public void ImmutableTagsCountAmongTheMostRecentButAreNeverDeleted()
    {
        var repository = Repository(Tag("v1", 1, hoursAgo: 3), Tag("v2", 2, hoursAgo: 2), Tag("v3", 3, hoursAgo: 1));
        var plan = RetentionPlanner.Plan(repository, [Rule(1, keepLast: 1)], tag => tag == "v1" ? "rule 9 of 'acme'" : null, Now);
        Assert.Equal("v2", Assert.Single(plan.Tags).Tag);
        var kept = Assert.Single(plan.Protected);
        Assert.Equal(("v1", "rule 9 of 'acme'"), (kept.Tag, kept.ImmutableRule));
    }

    [Fact]
    public void UntaggedManifestsGoUnlessATagReachesThemThroughAnIndexOrAsReferrers()
    {
        var manifests = new List<ManifestState>
        {
            Manifest(1, daysAgo: 20), Manifest(2, daysAgo: 20), Manifest(3, daysAgo: 20), // an index (1) and its child (2), tagged through 1
            Manifest(4, daysAgo: 20, subject: 3), // a referrer of the child
            Manifest(5, daysAgo: 20), Manifest(6, daysAgo: 2), // untagged: old and young
            Manifest(7, daysAgo: 20), // tagged by a tag that the same run deletes
        };
        var repository = new RepositorySnapshot(1, "acme/app", [Tag("multi", 1, hoursAgo: 1), Tag("old", 7, hoursAgo: 24 * 20)], manifests,
            [new ChildReference(1, Digest(2)), new ChildReference(1, Digest(3))]);
        var plan = RetentionPlanner.Plan(repository, [Rule(1, tags: "old", olderThanDays: 10), Rule(2, untaggedOlderThanDays: 7)], _ => null, Now);
        Assert.Equal([Digest(5), Digest(7)], plan.Manifests.Select(m => m.Manifest.Digest).Order());
        Assert.All(plan.Manifests, m => Assert.Equal(2, m.Rule));
    }

    [Fact]
    public void TheFirstRuleThatSelectsATagIsTheOneNamed()
    {
        var repository = Repository(Tag("pr-1", 1, hoursAgo: 24 * 100));
        var plan = RetentionPlanner.Plan(repository, [Rule(1, tags: "x-*", keepLast: 0), Rule(2, olderThanDays: 30), Rule(3, keepLast: 0)], _ => null, Now);
        Assert.Equal(2, Assert.Single(plan.Tags).Rule);
    }

    private static RepositorySnapshot Repository(params TagState[] tags) =>
        new(1, "acme/app", tags, [.. tags.Select(t => Manifest(t.ManifestId, daysAgo: 1))], []);

    private static TagState Tag(string name, long manifestId, int hoursAgo) => new(name, manifestId, Now.AddHours(-hoursAgo));

    private static ManifestState Manifest(long id, int daysAgo, long? subject = null) =>
        new(id, Digest(id), subject is { } s ? Digest(s) : null, Now.AddDays(-daysAgo), 100);

    private static string Digest(long id) => "sha256:" + id.ToString("x64");

    private static RetentionRuleEntity Rule(int position, string tags = "*", int? keepLast = null, int? olderThanDays = null, int? untaggedOlderThanDays = null) =>
        new()
        {
            Organization = "acme", Position = position, Repositories = "*", Tags = tags, KeepLast = keepLast, OlderThanDays = olderThanDays,
            UntaggedOlderThanDays = untaggedOlderThanDays, UpdatedBy = "admin", UpdatedAt = Now,
        };
}
