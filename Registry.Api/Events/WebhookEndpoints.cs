using System.Net;
using Microsoft.EntityFrameworkCore;
using Registry.Api.Events.Delivery;
using Registry.Api.Management;
using Registry.Api.Management.Paging;
using Registry.Api.Secrets;
using Registry.Auth.Permissions;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events;

/// <summary>
/// An organization's webhooks, for its owners and maintainers: <c>/api/v1/orgs/{org}/webhooks</c> (POST, GET list,
/// GET one with its 50 most recent deliveries, PATCH, DELETE). Registry-wide webhooks come from configuration.
/// </summary>
public static class WebhookEndpoints
{
    public const int RecentDeliveries = 50;

    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        // See: docs/REGISTRY.md "Webhooks" (this project's own API; /swagger has the schema)
        api.MapPost("/orgs/{org}/webhooks", Create);
        api.MapGet("/orgs/{org}/webhooks", List).PagedBy<WebhookResponse>("webhook id");
        api.MapGet("/orgs/{org}/webhooks/{id:long}", Get);
        api.MapGet("/orgs/{org}/webhooks/{id:long}/deliveries", Deliveries).PagedBy<DeliveryResponse>("delivery id (newest first)");
        api.MapPatch("/orgs/{org}/webhooks/{id:long}", Update);
        api.MapDelete("/orgs/{org}/webhooks/{id:long}", Delete);
        return api;
    }

    internal static async Task<IResult> Create(string org, WebhookRequest request, ManagementCaller caller, RegistryDbContext db,
        EventsOptions options, OutboundGuard guard, SecretsAtRest secrets, TimeProvider time, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        if (request.Url is null || request.Secret is null) return ApiError.BadRequest("url and secret are required");
        var webhook = new WebhookEntity { Organization = org, Url = "", Secret = "", CreatedAt = time.GetUtcNow().UtcDateTime };
        if (Apply(webhook, request, options, guard, secrets) is { } invalid) return invalid;
        // A new webhook receives what happens from now on, not the retained history.
        webhook.Cursor = await db.Set<EventEntity>().MaxAsync(e => (long?)e.Id, ct) ?? 0;
        db.Set<WebhookEntity>().Add(webhook);
        caller.Record("webhook.create", webhook.Url, org);
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/orgs/{org}/webhooks/{webhook.Id}", WebhookResponse.From(webhook));
    }

    private static async Task<IResult> List(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        var webhooks = await db.Set<WebhookEntity>().AsNoTracking().Where(w => w.Organization == org && (after == null || w.Id > after))
            .OrderBy(w => w.Id).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(webhooks, w => w.Id).Select(w => WebhookResponse.From(w)));
    }

    internal static async Task<IResult> Get(string org, long id, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (webhook, refusal) = await FindAsync(org, id, caller, db, ct);
        if (webhook is null) return refusal!;
        return Results.Ok(WebhookResponse.From(webhook, await DeliveriesAsync(db, id, null, RecentDeliveries, ct)));
    }

    /// <summary>Every delivery record of a webhook, newest first, a page at a time.</summary>
    private static async Task<IResult> Deliveries(string org, long id, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (webhook, refusal) = await FindAsync(org, id, caller, db, ct);
        if (webhook is null) return refusal!;
        return Results.Ok(page.Trim(await DeliveriesAsync(db, id, after, page.FetchCount, ct), d => d.Id));
    }

    private static async Task<List<DeliveryResponse>> DeliveriesAsync(RegistryDbContext db, long webhookId, long? before, int count, CancellationToken ct)
    {
        var deliveries = await (
            from d in db.Set<WebhookDeliveryEntity>().AsNoTracking()
            join e in db.Set<EventEntity>() on d.EventId equals e.Id
            where d.WebhookId == webhookId && (before == null || d.Id < before)
            orderby d.Id descending
            select new { d, e.EventId, e.Type }).Take(count).ToListAsync(ct);
        return [.. deliveries.Select(x => new DeliveryResponse(
            x.d.Id, x.EventId, x.Type, x.d.Repository.Length == 0 ? null : x.d.Repository, x.d.State.ToString().ToLowerInvariant(), x.d.Attempts,
            Utc(x.d.LastAttemptAt), x.d.LastStatus, x.d.LastError, x.d.State == DeliveryState.Pending ? Utc(x.d.NextAttemptAt) : null))];
    }

    private static async Task<IResult> Update(string org, long id, WebhookRequest request, ManagementCaller caller, RegistryDbContext db,
        EventsOptions options, OutboundGuard guard, SecretsAtRest secrets, CancellationToken ct)
    {
        var (webhook, refusal) = await FindAsync(org, id, caller, db, ct, track: true);
        if (webhook is null) return refusal!;
        if (Apply(webhook, request, options, guard, secrets) is { } invalid) return invalid;
        caller.Record("webhook.update", webhook.Url, org);
        await db.SaveChangesAsync(ct);
        return Results.Ok(WebhookResponse.From(webhook));
    }

    internal static async Task<IResult> Delete(string org, long id, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (webhook, refusal) = await FindAsync(org, id, caller, db, ct, track: true);
        if (webhook is null) return refusal!;
        db.Set<WebhookEntity>().Remove(webhook); // its deliveries go with it (cascading key)
        caller.Record("webhook.delete", webhook.Url, org);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<(WebhookEntity?, IResult?)> FindAsync(string org, long id, ManagementCaller caller, RegistryDbContext db,
        CancellationToken ct, bool track = false)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return (null, refusal);
        var webhooks = track ? db.Set<WebhookEntity>() : db.Set<WebhookEntity>().AsNoTracking();
        var webhook = await webhooks.FirstOrDefaultAsync(w => w.Id == id && w.Organization == org, ct);
        return webhook is null ? (null, ApiError.NotFound($"webhook {id}")) : (webhook, null);
    }

    /// <summary>Copies the request's fields onto <paramref name="webhook"/>; a 400 for the first bad one.</summary>
    private static IResult? Apply(WebhookEntity webhook, WebhookRequest request, EventsOptions options, OutboundGuard guard, SecretsAtRest secrets)
    {
        if (request.Url is { } url)
        {
            if (!WebhookUrl.IsAllowedScheme(url)) return ApiError.BadRequest("url must be an absolute http or https URL");
            // Names are checked again on every connection; a literal address can be refused now.
            if (IPAddress.TryParse(new Uri(url).Host.Trim('[', ']'), out var address) && guard.IsDenied(address))
                return ApiError.BadRequest($"{address} is in a network webhooks may not reach (Registry:Events:DeniedNetworks)");
            webhook.Url = url;
        }
        if (request.Secret is { } secret)
        {
            if (secret.Length is < 1 or > 512) return ApiError.BadRequest("secret must be 1 to 512 characters");
            webhook.Secret = secrets.Protect(SecretKind.WebhookSecret, secret);
        }
        if (request.Events is { } events)
        {
            var types = events.Select(t => EventTypes.Normalize(t, options.TypePrefix)).ToList();
            if (types.IndexOf(null) is var bad and >= 0) return ApiError.BadRequest($"unknown event type '{events[bad]}'; known: {string.Join(", ", EventTypes.All)}");
            webhook.Events = string.Join(',', types.Distinct());
        }
        if (request.Repositories is { } repositories)
        {
            if (repositories.Length > 0 && !RepositoryPattern.TryParse(repositories, out _))
                return ApiError.BadRequest($"invalid repository pattern '{repositories}': lower-case letters, digits, . _ - / and *");
            webhook.Repositories = repositories.Length == 0 ? null : repositories;
        }
        if (request.Format is { } format)
        {
            if (!WebhookFormats.IsKnown(format)) return ApiError.BadRequest("format must be cloudevents or distribution");
            webhook.Format = format;
        }
        if (request.Enabled is { } enabled) webhook.Enabled = enabled;
        return null;
    }

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}
