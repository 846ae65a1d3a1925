using Microsoft.EntityFrameworkCore;
using Registry.Api.Secrets;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// Mirrors <c>Registry:Events:Webhooks</c> into the webhooks table at start (rows named <c>config:N</c>), so
/// registry-wide webhooks are delivered by the same worker, with the same durability, as organization ones. A new
/// row starts at the newest event (no history replay); a row no longer configured is disabled.
/// </summary>
public sealed class ConfiguredWebhooks(RegistryDbContext db, EventsOptions options, SecretsAtRest secrets, TimeProvider time)
{
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var latest = await db.Set<EventEntity>().MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
        var existing = await db.Set<WebhookEntity>().Where(w => w.ConfigName != null).ToDictionaryAsync(w => w.ConfigName!, cancellationToken);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var configured = options.Webhooks[i];
            var name = $"config:{i}";
            if (!existing.Remove(name, out var row))
            {
                row = new WebhookEntity { ConfigName = name, Url = configured.Url, Secret = "", Cursor = latest, CreatedAt = time.GetUtcNow().UtcDateTime };
                db.Set<WebhookEntity>().Add(row);
            }
            row.Url = configured.Url;
            row.Secret = secrets.Protect(SecretKind.WebhookSecret, configured.Secret);
            row.Events = string.Join(',', configured.Events.Select(t => EventTypes.Normalize(t, options.TypePrefix)));
            row.Repositories = string.IsNullOrWhiteSpace(configured.Repositories) ? null : configured.Repositories;
            row.Format = configured.Format;
            row.Enabled = true;
        }
        foreach (var stale in existing.Values) stale.Enabled = false;
        await db.SaveChangesAsync(cancellationToken);
    }
}
