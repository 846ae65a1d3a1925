using Microsoft.EntityFrameworkCore;
using Registry.Api.Management;
using Registry.Api.Management.Paging;
using Registry.Api.Policies;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Replication;

namespace Registry.Api.Replication;

/// <summary>Push-mode replication rules of an organization, with each rule's status.</summary>
public static class ReplicationEndpoints
{
    public static RouteGroupBuilder MapReplications(this RouteGroupBuilder api)
    {
        // See: README.md#pull-through-cache-and-replication (this project's own API; /swagger has the schema)
        api.MapPost("/orgs/{org}/replications", Create).Produces<ReplicationResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/orgs/{org}/replications", List).PagedBy<ReplicationResponse>("replication id");
        api.MapGet("/orgs/{org}/replications/{id:long}", Get).Produces<ReplicationResponse>();
        api.MapDelete("/orgs/{org}/replications/{id:long}", Delete);
        return api;
    }

    private static async Task<IResult> Create(string org, ReplicationRequest request, ManagementCaller caller, RegistryDbContext db,
        Secrets.SecretsAtRest secrets, Events.Delivery.OutboundGuard guard, TimeProvider time, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        if (ReplicationValidation.Problem(request, guard) is { } problem) return ApiError.BadRequest(problem);
        var now = time.GetUtcNow().UtcDateTime;
        var rule = new ReplicationRuleEntity
        {
            Organization = org, Repositories = request.Repositories, Tags = request.Tags ?? "*", Target = new Uri(request.Target).GetLeftPart(UriPartial.Authority),
            TargetRepositoryPrefix = request.TargetRepositoryPrefix ?? "", Username = request.Username, ProtectedPassword = request.Password is null ? null : secrets.Protect(Secrets.SecretKind.ReplicationPassword, request.Password),
            CreatedBy = caller.Name, CreatedAt = now, NextAttemptAt = now, ClaimedUntil = now,
            // A new rule copies pushes from now on, as a new webhook hears events from now on.
            Cursor = await db.Set<EventEntity>().MaxAsync(e => (long?)e.Id, ct) ?? 0,
        };
        db.Set<ReplicationRuleEntity>().Add(rule);
        caller.Record("org.replication.create", org, org, $"repositories={rule.Repositories} tags={rule.Tags} target={rule.Target} prefix={rule.TargetRepositoryPrefix}");
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/orgs/{org}/replications/{rule.Id}", await ToResponseAsync(db, rule, now, ct));
    }

    private static async Task<IResult> List(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        var rules = page.Trim(await db.Set<ReplicationRuleEntity>().AsNoTracking().Where(r => r.Organization == org && (after == null || r.Id > after))
            .OrderBy(r => r.Id).Take(page.FetchCount).ToListAsync(ct), r => r.Id);
        var now = time.GetUtcNow().UtcDateTime;
        var responses = new List<ReplicationResponse>();
        foreach (var rule in rules) responses.Add(await ToResponseAsync(db, rule, now, ct));
        return Results.Ok(responses);
    }

    private static async Task<IResult> Get(string org, long id, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        var rule = await db.Set<ReplicationRuleEntity>().AsNoTracking().FirstOrDefaultAsync(r => r.Organization == org && r.Id == id, ct);
        return rule is null ? ApiError.NotFound($"replication {id} of '{org}'") : Results.Ok(await ToResponseAsync(db, rule, time.GetUtcNow().UtcDateTime, ct));
    }

    private static async Task<IResult> Delete(string org, long id, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        var rule = await db.Set<ReplicationRuleEntity>().FirstOrDefaultAsync(r => r.Organization == org && r.Id == id, ct);
        if (rule is null) return ApiError.NotFound($"replication {id} of '{org}'");
        db.Set<ReplicationRuleEntity>().Remove(rule);
        caller.Record("org.replication.delete", org, org, $"id={id} target={rule.Target}");
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<ReplicationResponse> ToResponseAsync(RegistryDbContext db, ReplicationRuleEntity rule, DateTime now, CancellationToken ct)
    {
        var pending = (await ReplicationPass.PendingAsync(db, rule, OrganizationScope.PrefixOf(rule.Organization), 1000, ct)).Where(p => p.Copy).ToList();
        var lag = pending.Count == 0 ? 0 : Math.Max(0, (now - pending[0].Event.OccurredAt).TotalSeconds);
        var status = new ReplicationStatus(rule.FailedAttempts == 0, rule.LastSuccessAt, rule.LastReplicated, rule.LastError, rule.LastErrorAt,
            rule.FailedAttempts, rule.FailedAttempts > 0 ? rule.NextAttemptAt : null, rule.Cursor, pending.Count, Math.Round(lag, 1));
        return new ReplicationResponse(rule.Id, rule.Repositories, rule.Tags, rule.Target, rule.TargetRepositoryPrefix, rule.Username,
            rule.ProtectedPassword is not null, rule.CreatedBy, rule.CreatedAt, status);
    }
}
