namespace Registry.Api.Policies;

// Request and response bodies of the policy routes under /api/v1/orgs/{org}.

public sealed record TagRuleRequest(string Repositories, string Tags, bool Immutable = true);
public sealed record TagRuleResponse(long Id, string Repositories, string Tags, bool Immutable, string CreatedBy, DateTime CreatedAt);

/// <summary><c>bytes</c> null removes the limit.</summary>
public sealed record QuotaRequest(long? Bytes);
public sealed record UsageResponse(long Bytes, long UniqueBytes, long? Quota, DateTime CountedAt);
