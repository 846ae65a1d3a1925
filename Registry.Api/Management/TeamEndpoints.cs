using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>Teams inside an organization, their members and their grants on repository patterns.</summary>
public static class TeamEndpoints
{
    public static RouteGroupBuilder MapTeams(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/orgs/{org}/teams", List).PagedBy<TeamResponse>("team name");
        api.MapGet("/orgs/{org}/teams/{team}/members", Members).PagedBy<string>("user name");
        api.MapGet("/orgs/{org}/teams/{team}/grants", Grants).PagedBy<GrantResponse>("grant id");
        api.MapPost("/orgs/{org}/teams", Create);
        api.MapDelete("/orgs/{org}/teams/{team}", Delete);
        api.MapPut("/orgs/{org}/teams/{team}/members/{user}", AddMember).Produces(StatusCodes.Status204NoContent);
        api.MapDelete("/orgs/{org}/teams/{team}/members/{user}", RemoveMember);
        api.MapPost("/orgs/{org}/teams/{team}/grants", AddGrant);
        api.MapDelete("/orgs/{org}/teams/{team}/grants/{id:long}", RemoveGrant);
        return api;
    }

    /// <summary>A page of teams, each with its members and grants (pages of those: <see cref="Members"/>, <see cref="Grants"/>).</summary>
    private static async Task<IResult> List(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        var teams = page.Trim(await db.Set<TeamEntity>().AsNoTracking()
            .Where(t => t.OrganizationId == found!.Id && (after == null || string.Compare(t.Name, after) > 0))
            .OrderBy(t => t.Name).Take(page.FetchCount).ToListAsync(ct), t => t.Name);
        var ids = teams.Select(t => t.Id).ToList();
        var members = await (from tm in db.Set<TeamMemberEntity>()
                             join u in db.Set<UserEntity>() on tm.UserId equals u.Id
                             where ids.Contains(tm.TeamId)
                             select new { tm.TeamId, u.Name }).ToListAsync(ct);
        var grants = await db.Set<RepositoryGrantEntity>().AsNoTracking().Where(g => g.TeamId != null && ids.Contains(g.TeamId.Value)).ToListAsync(ct);
        return Results.Ok(teams.Select(t => new TeamResponse(t.Name,
            members.Where(m => m.TeamId == t.Id).Select(m => m.Name).Order().ToList(),
            grants.Where(g => g.TeamId == t.Id).Select(OrganizationAccess.ToResponse).ToList())));
    }

    private static async Task<IResult> Members(string org, string team, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct, OrganizationNeed.Member);
        if (refusal is not null) return refusal;
        var members = await (from tm in db.Set<TeamMemberEntity>()
                             join u in db.Set<UserEntity>() on tm.UserId equals u.Id
                             where tm.TeamId == found!.Id && (after == null || string.Compare(u.Name, after) > 0)
                             orderby u.Name
                             select u.Name).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(members, name => name));
    }

    private static async Task<IResult> Grants(string org, string team, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct, OrganizationNeed.Member);
        if (refusal is not null) return refusal;
        var grants = await db.Set<RepositoryGrantEntity>().AsNoTracking().Where(g => g.TeamId == found!.Id && (after == null || g.Id > after))
            .OrderBy(g => g.Id).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(grants, g => g.Id).Select(OrganizationAccess.ToResponse));
    }

    private static async Task<IResult> Create(string org, CreateTeamRequest request, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        if (!NamingRules.IsValidName(request.Name)) return ApiError.BadRequest($"invalid team name '{request.Name}'");
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        if (await db.Set<TeamEntity>().AnyAsync(t => t.OrganizationId == found!.Id && t.Name == request.Name, ct))
            return ApiError.Conflict($"team '{request.Name}' already exists");
        db.Set<TeamEntity>().Add(new TeamEntity { OrganizationId = found!.Id, Name = request.Name });
        caller.Record("team.create", request.Name, org);
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/orgs/{org}/teams/{request.Name}", new TeamResponse(request.Name, [], []));
    }

    private static async Task<IResult> Delete(string org, string team, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct);
        if (refusal is not null) return refusal;
        db.Set<TeamEntity>().Remove(found!);
        caller.Record("team.delete", team, org);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<IResult> AddMember(string org, string team, string user, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct);
        if (refusal is not null) return refusal;
        var userId = await (from m in db.Set<OrganizationMemberEntity>()
                            join u in db.Set<UserEntity>() on m.UserId equals u.Id
                            where m.OrganizationId == found!.OrganizationId && u.Name == user
                            select (long?)u.Id).FirstOrDefaultAsync(ct);
        if (userId is null) return ApiError.BadRequest($"'{user}' is not a member of '{org}'; add them to the organization first");
        if (!await db.Set<TeamMemberEntity>().AnyAsync(tm => tm.TeamId == found!.Id && tm.UserId == userId, ct))
        {
            db.Set<TeamMemberEntity>().Add(new TeamMemberEntity { TeamId = found!.Id, UserId = userId.Value });
            caller.Record("team.member.add", $"{team}/{user}", org);
            await db.SaveChangesAsync(ct);
        }
        return Results.NoContent();
    }

    private static async Task<IResult> RemoveMember(string org, string team, string user, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct);
        if (refusal is not null) return refusal;
        var membership = await (from tm in db.Set<TeamMemberEntity>()
                                join u in db.Set<UserEntity>() on tm.UserId equals u.Id
                                where tm.TeamId == found!.Id && u.Name == user
                                select tm).FirstOrDefaultAsync(ct);
        if (membership is null) return ApiError.NotFound($"team member '{user}'");
        db.Set<TeamMemberEntity>().Remove(membership);
        caller.Record("team.member.remove", $"{team}/{user}", org);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<IResult> AddGrant(string org, string team, GrantRequest request, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        if (OrganizationAccess.TryParseGrants([request], out var parsed) is { } problem) return ApiError.BadRequest(problem);
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct);
        if (refusal is not null) return refusal;
        var grant = new RepositoryGrantEntity { TeamId = found!.Id, Pattern = parsed[0].Pattern, Actions = parsed[0].Actions };
        db.Set<RepositoryGrantEntity>().Add(grant);
        caller.Record("team.grant.add", team, org, $"{grant.Pattern}:{grant.Actions}");
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/v1/orgs/{org}/teams/{team}/grants/{grant.Id}", OrganizationAccess.ToResponse(grant));
    }

    private static async Task<IResult> RemoveGrant(string org, string team, long id, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await FindTeamAsync(db, org, team, caller, ct);
        if (refusal is not null) return refusal;
        var grant = await db.Set<RepositoryGrantEntity>().FirstOrDefaultAsync(g => g.Id == id && g.TeamId == found!.Id, ct);
        if (grant is null) return ApiError.NotFound($"grant {id}");
        db.Set<RepositoryGrantEntity>().Remove(grant);
        caller.Record("team.grant.remove", team, org, $"{grant.Pattern}:{grant.Actions}");
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<(TeamEntity? Team, IResult? Refusal)> FindTeamAsync(RegistryDbContext db, string org, string team, ManagementCaller caller,
        CancellationToken ct, OrganizationNeed need = OrganizationNeed.Maintainer)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, need, ct);
        if (refusal is not null) return (null, refusal);
        var entity = await db.Set<TeamEntity>().FirstOrDefaultAsync(t => t.OrganizationId == found!.Id && t.Name == team, ct);
        return entity is null ? (null, ApiError.NotFound($"team '{team}'")) : (entity, null);
    }
}
