using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Auth;

namespace Registry.Api.Management;

/// <summary>The audit log: an organization's entries for its owners, everything for administrators. Newest first.</summary>
public static class AuditEndpoints
{
    public const int MaxPageSize = 500;

    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/orgs/{org}/audit", ForOrganization);
        api.MapGet("/audit", All);
        return api;
    }

    private static async Task<IResult> ForOrganization(string org, ManagementCaller caller, RegistryDbContext db, int? limit, CancellationToken ct)
    {
        var (_, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        return Results.Ok(await Page(db.Set<AuditEntryEntity>().Where(a => a.Organization == org), limit, ct));
    }

    private static async Task<IResult> All(ManagementCaller caller, RegistryDbContext db, int? limit, CancellationToken ct) =>
        caller.Access.IsAdmin ? Results.Ok(await Page(db.Set<AuditEntryEntity>(), limit, ct)) : ApiError.Forbidden("only administrators read the whole audit log");

    private static Task<List<AuditEntryResponse>> Page(IQueryable<AuditEntryEntity> entries, int? limit, CancellationToken ct) =>
        entries.AsNoTracking().OrderByDescending(a => a.Id).Take(Math.Clamp(limit ?? 100, 1, MaxPageSize))
            .Select(a => new AuditEntryResponse(a.At, a.Actor, a.ClientAddress, a.Action, a.Target, a.Organization, a.Detail))
            .ToListAsync(ct);
}
