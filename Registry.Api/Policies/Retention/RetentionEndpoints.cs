using Microsoft.EntityFrameworkCore;
using Registry.Api.Events;
using Registry.Api.Management;
using Registry.Api.Management.Paging;
using Registry.Storage.Metadata;
using Registry.Storage.Policies;

namespace Registry.Api.Policies.Retention;

/// <summary>Retention rules per organization, and running them now (administrators).</summary>
public static class RetentionEndpoints
{
    /// <summary>Enough for any real policy, and a bound on the work of one run.</summary>
    public const int MaxRules = 50;

    public static RouteGroupBuilder MapRetention(this RouteGroupBuilder api)
    {
        // See: Registry.Api/Policies/README.md#retention (this project's own API; /swagger has the schema)
        api.MapGet("/orgs/{org}/retention", GetRules).PagedBy<RetentionRuleResponse>("rule position");
        api.MapPut("/orgs/{org}/retention", PutRules).Produces<RetentionRuleResponse[]>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/retention/run", Run)
            .WithSummary("Runs every organization's retention rules now; with dryRun=true reports what would go and deletes nothing")
            .Produces<RetentionReport>().ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    private static async Task<IResult> GetRules(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        var rules = await db.Set<RetentionRuleEntity>().AsNoTracking().Where(r => r.Organization == org && (after == null || r.Position > after))
            .OrderBy(r => r.Position).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(rules, r => r.Position).Select(ToResponse));
    }

    /// <summary>Replaces the organization's whole list (an empty list removes retention), in one transaction.</summary>
    internal static async Task<IResult> PutRules(string org, RetentionRuleRequest[]? request, ManagementCaller caller, RegistryDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        if (request is null) return ApiError.BadRequest("the body is a JSON array of rules, e.g. [{\"repositories\":\"app/*\",\"tags\":\"pr-*\",\"keepLast\":10}]");
        if (request.Length > MaxRules) return ApiError.BadRequest($"at most {MaxRules} rules per organization");
        for (var i = 0; i < request.Length; i++)
            if (RetentionRuleValidation.Problem(request[i]) is { } problem) return ApiError.BadRequest($"rule {i + 1}: {problem}");

        var now = time.GetUtcNow().UtcDateTime;
        var rules = request.Select((r, i) => new RetentionRuleEntity
        {
            Organization = org, Position = i + 1, Repositories = r.Repositories, Tags = r.Tags ?? "*", KeepLast = r.KeepLast,
            OlderThanDays = r.OlderThanDays, UntaggedOlderThanDays = r.UntaggedOlderThanDays, UpdatedBy = caller.Name, UpdatedAt = now,
        }).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Set<RetentionRuleEntity>().Where(r => r.Organization == org).ExecuteDeleteAsync(ct);
        db.Set<RetentionRuleEntity>().AddRange(rules);
        caller.Record("org.retention.set", org, org, string.Join("; ", rules.Select(Describe)));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Ok(rules.Select(ToResponse));
    }

    private static async Task<IResult> Run(bool? dryRun, ManagementCaller caller, RetentionRunner runner, RegistryDbContext db, HttpContext context, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators run retention");
        // Events of this run name the administrator who started it, as the audit entries do.
        await EventOriginBinder.BindAsync(context);
        var report = await runner.RunAsync(dryRun ?? false, new RetentionActor(caller.Name, caller.ClientAddress), ct);
        if (!report.DryRun)
        {
            caller.Record("retention.run", "registry", null, $"tags={report.Tags.Count} manifests={report.Manifests.Count} protected={report.Protected.Count}");
            await db.SaveChangesAsync(ct);
        }
        return Results.Ok(report);
    }

    private static string Describe(RetentionRuleEntity rule) =>
        $"{rule.Position}: repositories={rule.Repositories} tags={rule.Tags} keepLast={rule.KeepLast} olderThanDays={rule.OlderThanDays} "
        + $"untaggedOlderThanDays={rule.UntaggedOlderThanDays}";

    private static RetentionRuleResponse ToResponse(RetentionRuleEntity rule) => new(rule.Position, rule.Repositories, rule.Tags, rule.KeepLast,
        rule.OlderThanDays, rule.UntaggedOlderThanDays, rule.UpdatedBy, rule.UpdatedAt);
}
