using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Policies;
using Registry.Storage.Replication;

namespace Registry.Api.Ui.Data;

/// <summary>A webhook as the organization page lists it: where it points, what it hears, how its deliveries stand.</summary>
public sealed record WebhookRow(long Id, string Url, string Events, string Repositories, string Format, bool Enabled,
    int Pending, int Failed, DateTime? LastAttemptAt, int? LastStatus);

public sealed record TagRuleRow(long Id, string Repositories, string Tags, string CreatedBy, DateTime CreatedAt);
public sealed record RetentionRow(int Position, string Repositories, string Tags, int? KeepLast, int? OlderThanDays, int? UntaggedOlderThanDays);
public sealed record ReplicationRow(long Id, string Repositories, string Tags, string Target, bool Healthy, DateTime? LastSuccessAt,
    string? LastError, int FailedAttempts, DateTime? NextAttemptAt);

/// <summary>An organization's policies as its page shows them; <see cref="Usage"/> is null until something counted it.</summary>
public sealed record PolicyView(IReadOnlyList<TagRuleRow> ImmutableTags, IReadOnlyList<RetentionRow> Retention,
    IReadOnlyList<ReplicationRow> Replications, OrganizationUsageEntity? Usage);

/// <summary>
/// Reads an organization's webhooks (with a delivery summary each) and policies for the UI. Writes do not come through here:
/// the UI calls the management API's own handlers, so both refuse the same things and write the same audit entries.
/// </summary>
public sealed class OrganizationSettingsQueries(RegistryDbContext db)
{
    public async Task<IReadOnlyList<WebhookRow>> WebhooksAsync(string org, CancellationToken cancellationToken)
    {
        var webhooks = await db.Set<WebhookEntity>().AsNoTracking().Where(w => w.Organization == org).OrderBy(w => w.Id).ToListAsync(cancellationToken);
        var ids = webhooks.Select(w => w.Id).ToList();
        // Grouped queries for every webhook's counts and latest attempt, not one per row.
        var stats = await db.Set<WebhookDeliveryEntity>().AsNoTracking().Where(d => ids.Contains(d.WebhookId))
            .GroupBy(d => d.WebhookId)
            .Select(g => new { WebhookId = g.Key, Pending = g.Count(d => d.State == DeliveryState.Pending), Failed = g.Count(d => d.State == DeliveryState.Failed) })
            .ToListAsync(cancellationToken);
        var lastIds = await db.Set<WebhookDeliveryEntity>().AsNoTracking().Where(d => ids.Contains(d.WebhookId) && d.LastAttemptAt != null)
            .GroupBy(d => d.WebhookId).Select(g => g.Max(d => d.Id)).ToListAsync(cancellationToken);
        var last = await db.Set<WebhookDeliveryEntity>().AsNoTracking().Where(d => lastIds.Contains(d.Id))
            .Select(d => new { d.WebhookId, d.LastAttemptAt, d.LastStatus }).ToListAsync(cancellationToken);
        return webhooks.Select(w =>
        {
            var s = stats.FirstOrDefault(x => x.WebhookId == w.Id);
            var l = last.FirstOrDefault(x => x.WebhookId == w.Id);
            return new WebhookRow(w.Id, w.Url, w.Events.Length == 0 ? "all" : w.Events.Replace(",", ", ", StringComparison.Ordinal),
                w.Repositories ?? "all", w.Format, w.Enabled, s?.Pending ?? 0, s?.Failed ?? 0, Utc(l?.LastAttemptAt), l?.LastStatus);
        }).ToList();
    }

    public async Task<PolicyView> PoliciesAsync(string org, CancellationToken cancellationToken)
    {
        var tagRules = await db.Set<TagRuleEntity>().AsNoTracking().Where(r => r.Organization == org && r.Immutable).OrderBy(r => r.Id)
            .Select(r => new TagRuleRow(r.Id, r.Repositories, r.Tags, r.CreatedBy, r.CreatedAt)).ToListAsync(cancellationToken);
        var retention = await db.Set<RetentionRuleEntity>().AsNoTracking().Where(r => r.Organization == org).OrderBy(r => r.Position)
            .Select(r => new RetentionRow(r.Position, r.Repositories, r.Tags, r.KeepLast, r.OlderThanDays, r.UntaggedOlderThanDays)).ToListAsync(cancellationToken);
        var replications = await db.Set<ReplicationRuleEntity>().AsNoTracking().Where(r => r.Organization == org).OrderBy(r => r.Id)
            .Select(r => new ReplicationRow(r.Id, r.Repositories, r.Tags, r.Target, r.FailedAttempts == 0, r.LastSuccessAt, r.LastError,
                r.FailedAttempts, r.FailedAttempts > 0 ? r.NextAttemptAt : null)).ToListAsync(cancellationToken);
        var usage = await db.Set<OrganizationUsageEntity>().AsNoTracking().FirstOrDefaultAsync(u => u.Organization == org, cancellationToken);
        return new PolicyView(tagRules, retention, replications, usage);
    }

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}
