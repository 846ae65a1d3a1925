using Microsoft.EntityFrameworkCore;
using Registry.Api.Events;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>
/// The audit log: an organization's entries for its owners, everything for administrators. Newest first. Management
/// writes, plus pushes, deletes and hourly pull counts (<see cref="ActivityAudit"/>).
/// </summary>
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
        return Results.Ok(await Page(db, db.Set<AuditEntryEntity>().Where(a => a.Organization == org), org, limit, ct));
    }

    private static async Task<IResult> All(ManagementCaller caller, RegistryDbContext db, int? limit, CancellationToken ct) =>
        caller.Access.IsAdmin ? Results.Ok(await Page(db, db.Set<AuditEntryEntity>(), null, limit, ct)) : ApiError.Forbidden("only administrators read the whole audit log");

    private static async Task<List<AuditEntryResponse>> Page(RegistryDbContext db, IQueryable<AuditEntryEntity> entries, string? organization, int? limit, CancellationToken ct)
    {
        var size = Math.Clamp(limit ?? 100, 1, MaxPageSize);
        var writes = await entries.AsNoTracking().OrderByDescending(a => a.Id).Take(size)
            .Select(a => new AuditEntryResponse(a.At, a.Actor, a.ClientAddress, a.Action, a.Target, a.Organization, a.Detail))
            .ToListAsync(ct);
        var activity = await ActivityAudit.ReadAsync(db, organization, size, ct);
        return [.. writes.Concat(activity).OrderByDescending(a => DateTime.SpecifyKind(a.At, DateTimeKind.Utc)).Take(size)];
    }
}
