namespace Registry.Api.Policies.Retention;

// Request and response bodies of /api/v1/orgs/{org}/retention and /api/v1/retention/run.

/// <summary>One rule; <c>tags</c> defaults to <c>*</c>. At least one of the three limits is required.</summary>
public sealed record RetentionRuleRequest(string Repositories, string? Tags, int? KeepLast, int? OlderThanDays, int? UntaggedOlderThanDays);

public sealed record RetentionRuleResponse(int Rule, string Repositories, string Tags, int? KeepLast, int? OlderThanDays, int? UntaggedOlderThanDays,
    string UpdatedBy, DateTime UpdatedAt);

/// <summary>A tag that was (or in a dry run would be) deleted, with the rule (its position in the organization's list) and why.</summary>
public sealed record RetentionTagEntry(string Repository, string Tag, string Digest, int Rule, string Reason);

public sealed record RetentionManifestEntry(string Repository, string Digest, int Rule, string Reason);

/// <summary>A tag a retention rule selected but an immutable tag rule kept.</summary>
public sealed record RetentionProtectedEntry(string Repository, string Tag, string Digest, string ImmutableRule);

public sealed record RetentionReport(bool DryRun, DateTime StartedAt, DateTime FinishedAt, IReadOnlyList<RetentionTagEntry> Tags,
    IReadOnlyList<RetentionManifestEntry> Manifests, IReadOnlyList<RetentionProtectedEntry> Protected);

/// <summary>Who a run acts for, in audit entries and events: an administrator, or the schedule.</summary>
public sealed record RetentionActor(string Name, string? ClientAddress)
{
    public static readonly RetentionActor Schedule = new("retention", null);
}
