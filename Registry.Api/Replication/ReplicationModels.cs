namespace Registry.Api.Replication;

// Request and response bodies of /api/v1/orgs/{org}/replications. The password is write-only.

/// <summary><c>tags</c> defaults to <c>*</c>; <c>targetRepositoryPrefix</c> to none (same names on the target).</summary>
public sealed record ReplicationRequest(string Repositories, string? Tags, string Target, string? TargetRepositoryPrefix, string? Username, string? Password);

public sealed record ReplicationResponse(long Id, string Repositories, string Tags, string Target, string TargetRepositoryPrefix, string? Username,
    bool HasPassword, string CreatedBy, DateTime CreatedAt, ReplicationStatus Status);

/// <summary>
/// How a rule is doing: <c>healthy</c> when the last attempt succeeded; <c>pending</c> the pushes not yet copied
/// (up to 1000 counted) and <c>lagSeconds</c> the age of the oldest of them (0 when caught up).
/// </summary>
public sealed record ReplicationStatus(bool Healthy, DateTime? LastSuccessAt, string? LastReplicated, string? LastError, DateTime? LastErrorAt,
    int FailedAttempts, DateTime? NextAttemptAt, long Cursor, int Pending, double LagSeconds);
