namespace Registry.Storage.Replication;

/// <summary>
/// A push-mode replication rule of an organization: pushes of tags matching <see cref="Tags"/> in repositories
/// matching <see cref="Repositories"/> (relative to the organization) are copied to <see cref="Target"/> under
/// <see cref="TargetRepositoryPrefix"/> + the repository's full name. The worker reads the event log after
/// <see cref="Cursor"/>; the status columns say how that goes.
/// </summary>
public sealed class ReplicationRuleEntity
{
    public long Id { get; set; }
    public required string Organization { get; set; }
    public required string Repositories { get; set; }
    public required string Tags { get; set; }
    /// <summary>The target registry's base URL (http or https, no path).</summary>
    public required string Target { get; set; }
    public string TargetRepositoryPrefix { get; set; } = "";
    public string? Username { get; set; }
    /// <summary>The password, encrypted with the registry's data protection keys; never returned by the API.</summary>
    public string? ProtectedPassword { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The last event id handled (copied, or not matching).</summary>
    public long Cursor { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    /// <summary>What the last success copied, e.g. <c>acme/app:v1@sha256:…</c>.</summary>
    public string? LastReplicated { get; set; }
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
    /// <summary>Failures in a row of the event at the cursor; zero after a success.</summary>
    public int FailedAttempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>A replica working on the rule holds it until then (a lease, so a dead replica's claim lapses).</summary>
    public DateTime ClaimedUntil { get; set; }
}
