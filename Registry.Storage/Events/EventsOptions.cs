using System.Net;

namespace Registry.Storage.Events;

/// <summary>
/// Event log, feed and webhook delivery settings, bound from <c>Registry:Events</c> (<c>Registry__Events__TypePrefix</c>, …).
/// </summary>
public sealed class EventsOptions
{
    public const string Section = "Registry:Events";

    /// <summary>Prefix of every CloudEvents <c>type</c>. Default <c>io.registry</c>.</summary>
    public string TypePrefix { get; set; } = "io.registry";

    /// <summary>The CloudEvents <c>source</c>: the registry's public URL. Default <c>/registry</c> (a URI reference).</summary>
    public string Source { get; set; } = "/registry";

    /// <summary>How long events (and their deliveries) are kept; pruned by the garbage-collection schedule. Default 7 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Registry-wide webhooks (<c>Registry__Events__Webhooks__0__Url</c>, <c>__Secret</c>, <c>__Events__0</c>, …).</summary>
    public List<ConfiguredWebhook> Webhooks { get; set; } = [];

    /// <summary>
    /// Networks webhooks may never reach, checked on the resolved address of every connection. Default: link-local
    /// (which holds the cloud metadata endpoint 169.254.169.254) and other metadata addresses.
    /// </summary>
    public List<string> DeniedNetworks { get; set; } =
        ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32", "168.63.129.16/32"];

    /// <summary>The first retry's delay; each further retry doubles it (with jitter), up to <see cref="RetryMaxDelay"/>. Default 5 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between two attempts. Default 1 hour.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a delivery is retried before it is marked failed. Default 48 hours (at least 24 are promised).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>The timeout of one delivery request. Default 10 s.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries in flight at once per replica. Default 8.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>How often the delivery worker looks for work written by other replicas. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often pull counts (kept in memory per repository, digest, actor and hour) are written. Default 5 s.</summary>
    public TimeSpan PullFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The parsed <see cref="DeniedNetworks"/> (valid after <see cref="Validate"/>).</summary>
    public IReadOnlyList<IPNetwork> ParsedDeniedNetworks() =>
        DeniedNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => IPNetwork.Parse(n.Trim())).ToList();

    /// <summary>Every problem with these settings, each saying what to fix.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(TypePrefix)) yield return "Registry:Events:TypePrefix is empty; set e.g. io.registry.";
        if (!Uri.TryCreate(Source, UriKind.RelativeOrAbsolute, out _)) yield return "Registry:Events:Source must be a URI such as https://registry.example.com.";
        if (Retention <= TimeSpan.Zero) yield return "Registry:Events:Retention must be positive, e.g. 7.00:00:00.";
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay) yield return "Registry:Events:RetryBaseDelay must be positive and at most RetryMaxDelay.";
        if (DeliveryTimeout <= TimeSpan.Zero) yield return "Registry:Events:DeliveryTimeout must be positive.";
        if (MaxConcurrentDeliveries < 1) yield return "Registry:Events:MaxConcurrentDeliveries must be at least 1.";
        if (PollInterval <= TimeSpan.Zero) yield return "Registry:Events:PollInterval must be positive.";
        if (PullFlushInterval <= TimeSpan.Zero) yield return "Registry:Events:PullFlushInterval must be positive.";
        foreach (var network in DeniedNetworks.Where(n => !string.IsNullOrWhiteSpace(n) && !IPNetwork.TryParse(n.Trim(), out _)))
            yield return $"Registry:Events:DeniedNetworks: '{network}' is not a network in CIDR form (e.g. 169.254.0.0/16).";
        for (var i = 0; i < Webhooks.Count; i++)
            foreach (var problem in Webhooks[i].Validate(TypePrefix)) yield return $"Registry:Events:Webhooks:{i}: {problem}";
    }
}

/// <summary>A registry-wide webhook from configuration.</summary>
public sealed class ConfiguredWebhook
{
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";
    /// <summary>Short or prefixed types; empty: every type.</summary>
    public List<string> Events { get; set; } = [];
    /// <summary>A repository pattern on full names (<c>acme/*</c>); null: every repository.</summary>
    public string? Repositories { get; set; }
    public string Format { get; set; } = WebhookFormats.CloudEvents;

    public IEnumerable<string> Validate(string prefix)
    {
        if (!WebhookUrl.IsAllowedScheme(Url)) yield return "Url must be an absolute http or https URL.";
        if (string.IsNullOrEmpty(Secret)) yield return "Secret is required (it signs every delivery).";
        foreach (var type in Events.Where(t => EventTypes.Normalize(t, prefix) is null)) yield return $"unknown event type '{type}'.";
        if (!WebhookFormats.IsKnown(Format)) yield return "Format must be cloudevents or distribution.";
    }
}

/// <summary>The scheme rule for webhook URLs (http and https only, absolute).</summary>
public static class WebhookUrl
{
    public static bool IsAllowedScheme(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
