using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Auth.Passwords;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>Robot accounts: an organization's machine credentials with explicit repository patterns and actions.</summary>
public static class RobotEndpoints
{
    public static RouteGroupBuilder MapRobots(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/orgs/{org}/robots", List).PagedBy<RobotResponse>("robot name (without the org+ prefix)");
        api.MapPost("/orgs/{org}/robots", Create);
        api.MapDelete("/orgs/{org}/robots/{robot}", Revoke);
        return api;
    }

    private static async Task<IResult> List(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        var robots = page.Trim(await db.Set<RobotEntity>().AsNoTracking()
            .Where(r => r.OrganizationId == found!.Id && (after == null || string.Compare(r.Name, after) > 0))
            .OrderBy(r => r.Name).Take(page.FetchCount).ToListAsync(ct), r => r.Name);
        var ids = robots.Select(r => r.Id).ToList();
        var grants = await db.Set<RepositoryGrantEntity>().AsNoTracking().Where(g => g.RobotId != null && ids.Contains(g.RobotId.Value)).ToListAsync(ct);
        return Results.Ok(robots.Select(r => new RobotResponse(r.Name, NamingRules.RobotLogin(org, r.Name), r.CreatedAt, r.CreatedBy, r.RevokedAt,
            grants.Where(g => g.RobotId == r.Id).Select(OrganizationAccess.ToResponse).ToList())));
    }

    internal static async Task<IResult> Create(string org, CreateRobotRequest request, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!NamingRules.IsValidName(request.Name)) return ApiError.BadRequest($"invalid robot name '{request.Name}'");
        if (request.Grants is not { Count: > 0 }) return ApiError.BadRequest("a robot needs at least one grant (pattern and actions)");
        if (OrganizationAccess.TryParseGrants(request.Grants, out var parsed) is { } problem) return ApiError.BadRequest(problem);
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        // Names stay taken after revocation, so audit entries and logs keep meaning one robot.
        if (await db.Set<RobotEntity>().AnyAsync(r => r.OrganizationId == found!.Id && r.Name == request.Name, ct))
            return ApiError.Conflict($"robot '{request.Name}' already exists in '{org}'");
        var secret = SecretToken.Create(SecretToken.RobotPrefix);
        var robot = new RobotEntity
        {
            OrganizationId = found!.Id, Name = request.Name, SecretHash = SecretToken.HashOf(secret),
            CreatedBy = caller.Name, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Set<RobotEntity>().Add(robot);
        await db.SaveChangesAsync(ct);
        var grants = parsed.Select(p => new RepositoryGrantEntity { RobotId = robot.Id, Pattern = p.Pattern, Actions = p.Actions }).ToList();
        db.Set<RepositoryGrantEntity>().AddRange(grants);
        caller.Record("robot.create", NamingRules.RobotLogin(org, robot.Name), org, string.Join(' ', parsed.Select(p => $"{p.Pattern}:{p.Actions}")));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Created($"/api/v1/orgs/{org}/robots/{robot.Name}",
            new CreatedRobotResponse(robot.Name, NamingRules.RobotLogin(org, robot.Name), secret, grants.Select(OrganizationAccess.ToResponse).ToList()));
    }

    private static async Task<IResult> Revoke(string org, string robot, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        var entity = await db.Set<RobotEntity>().FirstOrDefaultAsync(r => r.OrganizationId == found!.Id && r.Name == robot && r.RevokedAt == null, ct);
        if (entity is null) return ApiError.NotFound($"active robot '{robot}'");
        entity.RevokedAt = time.GetUtcNow().UtcDateTime;
        caller.Record("robot.revoke", NamingRules.RobotLogin(org, robot), org);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }
}
