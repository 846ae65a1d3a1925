using Registry.Auth.Permissions;
using Registry.Storage.Events;

namespace Registry.Api.Events.Delivery;

/// <summary>Which events a webhook receives: its types (none: all) and its repositories (org webhooks: only the org's).</summary>
public static class WebhookMatcher
{
    public static bool Matches(WebhookEntity webhook, EventEntity row)
    {
        if (webhook.Events.Length > 0 && !webhook.Events.Split(',').Contains(row.Type)) return false;
        var name = row.Repository;
        if (webhook.Organization is { } org)
        {
            if (!name.StartsWith(org + "/", StringComparison.Ordinal)) return false;
            name = name[(org.Length + 1)..];
        }
        if (webhook.Repositories is null) return true;
        return name.Length > 0 && RepositoryPattern.TryParse(webhook.Repositories, out var pattern) && pattern.Matches(name);
    }
}
