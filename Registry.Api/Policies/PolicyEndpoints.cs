using Microsoft.EntityFrameworkCore;
using Registry.Api.Management;
using Registry.Api.Management.Paging;
using Registry.Auth.Permissions;
using Registry.Storage.Metadata;
using Registry.Storage.Policies;

namespace Registry.Api.Policies;

/// <summary>Organization policies: immutable tag rules, the storage quota and usage.</summary>
public static class PolicyEndpoints
{
    public static RouteGroupBuilder MapPolicies(this RouteGroupBuilder api)
    {
        // See: README.md#policies (this project's own API; /swagger has the schema)
        api.MapGet("/orgs/{org}/tag-rules", ListTagRules).PagedBy<TagRuleResponse>("rule id");
        api.MapPost("/orgs/{org}/tag-rules", CreateTagRule);
        api.MapDelete("/orgs/{org}/tag-rules/{id:long}", DeleteTagRule);
        api.MapPut("/orgs/{org}/quota", SetQuota);
        api.MapGet("/orgs/{org}/usage", GetUsage);
        return api;
    }

    private static async Task<IResult> ListTagRules(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        var rules = await db.Set<TagRuleEntity>().AsNoTracking().Where(r => r.Organization == org && (after == null || r.Id > after))
            .OrderBy(r => r.Id).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(rules, r => r.Id).Select(ToResponse));
    }

    internal static async Task<IResult> CreateTagRule(string org, TagRuleRequest request, ManagementCaller caller, RegistryDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        if (!RepositoryPattern.TryParse(request.Repositories, out _))
            return ApiError.BadRequest($"invalid repositories pattern '{request.Repositories}': lower-case letters, digits, . _ - / and *");
        if (!IsTagPattern(request.Tags))
            return ApiError.BadRequest($"invalid tags pattern '{request.Tags}': letters, digits, . _ - and *, at most 128");
        var rule = new TagRuleEntity
        {
            Organization = org, Repositories = request.Repositories, Tags = request.Tags, Immutable = request.Immutable,
            CreatedBy = caller.Name, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Set<TagRuleEntity>().Add(rule);
        caller.Record("org.tag-rule.create", org, org, $"repositories={rule.Repositories} tags={rule.Tags} immutable={rule.Immutable}");
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/orgs/{org}/tag-rules/{rule.Id}", ToResponse(rule));
    }

    internal static async Task<IResult> DeleteTagRule(string org, long id, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        var rule = await db.Set<TagRuleEntity>().FirstOrDefaultAsync(r => r.Organization == org && r.Id == id, ct);
        if (rule is null) return ApiError.NotFound($"tag rule {id} of '{org}'");
        db.Set<TagRuleEntity>().Remove(rule);
        caller.Record("org.tag-rule.delete", org, org, $"id={id} repositories={rule.Repositories} tags={rule.Tags}");
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    internal static async Task<IResult> SetQuota(string org, QuotaRequest request, ManagementCaller caller, RegistryDbContext db,
        OrganizationUsage usage, CancellationToken ct)
    {
        if (!caller.Access.IsAdmin) return ApiError.Forbidden("only administrators set quotas");
        if (!await db.Set<Registry.Auth.Data.OrganizationEntity>().AnyAsync(o => o.Name == org, ct)) return ApiError.NotFound($"organization '{org}'");
        if (request.Bytes is < 0) return ApiError.BadRequest("bytes must be zero or more (or null for no limit)");
        var counted = await usage.SetQuotaAsync(org, request.Bytes, ct);
        caller.Record("org.quota.set", org, org, $"bytes={request.Bytes?.ToString() ?? "none"}");
        await db.SaveChangesAsync(ct);
        return Results.Ok(ToResponse(counted));
    }

    private static async Task<IResult> GetUsage(string org, ManagementCaller caller, RegistryDbContext db, OrganizationUsage usage, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        // The first read starts tracking the organization; later reads are one row.
        var counted = await usage.FindAsync(org, ct) ?? await usage.RecountAsync(org, ct);
        return Results.Ok(ToResponse(counted));
    }

    /// <summary>A tag pattern of a tag or retention rule: letters, digits, <c>. _ -</c> and <c>*</c>, at most 128.</summary>
    internal static bool IsTagPattern(string? text) =>
        text is { Length: > 0 and <= 128 } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '*');

    private static TagRuleResponse ToResponse(TagRuleEntity rule) =>
        new(rule.Id, rule.Repositories, rule.Tags, rule.Immutable, rule.CreatedBy, rule.CreatedAt);

    private static UsageResponse ToResponse(OrganizationUsageEntity usage) => new(usage.Bytes, usage.UniqueBytes, usage.QuotaBytes, usage.CountedAt);
}
