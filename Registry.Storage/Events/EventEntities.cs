namespace Registry.Storage.Events;

/// <summary>
/// One row of the event log (the outbox): written in the same transaction as the change it describes.
/// <see cref="Id"/> is the feed's cursor; writers commit in id order (see <see cref="EventOutbox"/>).
/// </summary>
public sealed class EventEntity
{
    public long Id { get; set; }
    /// <summary>The CloudEvents <c>id</c>: unique and stable across deliveries, for receivers' de-duplication.</summary>
    public required string EventId { get; set; }
    /// <summary>The type without the configured prefix, e.g. <c>manifest.pushed</c> (<see cref="EventTypes"/>).</summary>
    public required string Type { get; set; }
    /// <summary>The repository (the CloudEvents <c>subject</c>); empty for registry-wide events such as a swept blob.</summary>
    public required string Repository { get; set; }
    public string? Digest { get; set; }
    public string? Tag { get; set; }
    public DateTime OccurredAt { get; set; }
    /// <summary>The CloudEvents <c>data</c> as JSON (<see cref="RegistryEvent"/>'s fields plus actor and client address).</summary>
    public required string DataJson { get; set; }
}

/// <summary>A webhook: an organization's (<see cref="Organization"/> set) or a registry-wide one from configuration.</summary>
public sealed class WebhookEntity
{
    public long Id { get; set; }
    /// <summary>Null for registry-wide webhooks; they are defined in configuration and named <c>config:N</c>.</summary>
    public string? Organization { get; set; }
    public string? ConfigName { get; set; }
    public required string Url { get; set; }
    /// <summary>
    /// The HMAC key, encrypted (<c>protected:</c>…) by the API layer's data protection: signing needs the key itself, so
    /// it cannot be hashed. Rows written before secrets were protected hold it in clear until the start-up pass. Never
    /// returned by the API.
    /// </summary>
    public required string Secret { get; set; }
    /// <summary>Comma-separated short types (<c>manifest.pushed,tag.deleted</c>); empty: every type.</summary>
    public string Events { get; set; } = "";
    /// <summary>A repository pattern (relative to the organization for organization webhooks); null: every repository.</summary>
    public string? Repositories { get; set; }
    /// <summary><c>cloudevents</c> (default) or <c>distribution</c> (the distribution notification envelope).</summary>
    public string Format { get; set; } = WebhookFormats.CloudEvents;
    public bool Enabled { get; set; } = true;
    /// <summary>The last event id already fanned out into deliveries for this webhook.</summary>
    public long Cursor { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One event to one webhook: retried with backoff until delivered or given up.</summary>
public sealed class WebhookDeliveryEntity
{
    public long Id { get; set; }
    public long WebhookId { get; set; }
    public long EventId { get; set; }
    /// <summary>Copied from the event: deliveries are ordered per webhook and repository.</summary>
    public required string Repository { get; set; }
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>A replica working on the delivery holds it until then; after a crash another replica takes it over.</summary>
    public DateTime ClaimedUntil { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
}

/// <summary>Where a delivery stands.</summary>
public enum DeliveryState { Pending = 0, Delivered = 1, Failed = 2 }

/// <summary>Pulls counted per repository, digest, actor and hour (one row per bucket, not per pull).</summary>
public sealed class PullCountEntity
{
    public required string Repository { get; set; }
    public required string Digest { get; set; }
    public required string Actor { get; set; }
    public DateTime Hour { get; set; }
    public string? ClientAddress { get; set; }
    public long Count { get; set; }
}

/// <summary>Webhook payload formats.</summary>
public static class WebhookFormats
{
    public const string CloudEvents = "cloudevents";
    public const string Distribution = "distribution";
    public static bool IsKnown(string? format) => format is CloudEvents or Distribution;
}
