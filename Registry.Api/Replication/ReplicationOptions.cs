namespace Registry.Api.Replication;

/// <summary>
/// Replication settings, bound from <c>Registry:Replication</c>. Retries use the webhook settings
/// (<c>Registry:Events:RetryBaseDelay</c> / <c>RetryMaxDelay</c>) and wake-ups the event log's <c>PollInterval</c>.
/// </summary>
public sealed class ReplicationOptions
{
    public const string Section = "Registry:Replication";

    /// <summary>The longest one call to a target may take (a blob upload included). Default 5 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero) yield return "Registry:Replication:RequestTimeout must be positive, e.g. 00:05:00.";
    }
}
