using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>
/// Teams inside an organization, their members and their grants on repository patterns. Who may ask is checked here;
/// the rules (unique names, members of the organization only) are <see cref="TeamAccounts"/>'.
/// </summary>
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

    private static async Task<IResult> Members(string org, string team, ManagementCaller caller, ListPage page, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        var (_, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct, OrganizationNeed.Member);
        if (refusal is not null) return refusal;
        var members = await (from tm in db.Set<TeamMemberEntity>()
                             join u in db.Set<UserEntity>() on tm.UserId equals u.Id
                             where tm.TeamId == found!.Id && (after == null || string.Compare(u.Name, after) > 0)
                             orderby u.Name
                             select u.Name).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(members, name => name));
    }

    private static async Task<IResult> Grants(string org, string team, ManagementCaller caller, ListPage page, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        if (page.AfterId(out var after) is { } bad) return bad;
        var (_, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct, OrganizationNeed.Member);
        if (refusal is not null) return refusal;
        var grants = await db.Set<RepositoryGrantEntity>().AsNoTracking().Where(g => g.TeamId == found!.Id && (after == null || g.Id > after))
            .OrderBy(g => g.Id).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(grants, g => g.Id).Select(OrganizationAccess.ToResponse));
    }

    private static async Task<IResult> Create(string org, CreateTeamRequest request, ManagementCaller caller, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Maintainer, ct);
        if (refusal is not null) return refusal;
        return await teams.CreateAsync(caller.Actor, found!, request.Name, ct) is { } problem
            ? ApiError.From(problem) : Results.Created($"/api/v1/orgs/{org}/teams/{request.Name}", new TeamResponse(request.Name, [], []));
    }

    private static async Task<IResult> Delete(string org, string team, ManagementCaller caller, RegistryDbContext db, TeamAccounts teams, CancellationToken ct)
    {
        var (organization, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct);
        if (refusal is not null) return refusal;
        await teams.DeleteAsync(caller.Actor, organization!, found!, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> AddMember(string org, string team, string user, ManagementCaller caller, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        var (organization, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct);
        if (refusal is not null) return refusal;
        return await teams.AddMemberAsync(caller.Actor, organization!, found!, user, ct) is { } problem ? ApiError.From(problem) : Results.NoContent();
    }

    private static async Task<IResult> RemoveMember(string org, string team, string user, ManagementCaller caller, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        var (organization, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct);
        if (refusal is not null) return refusal;
        return await teams.RemoveMemberAsync(caller.Actor, organization!, found!, user, ct) is { } problem ? ApiError.From(problem) : Results.NoContent();
    }

    private static async Task<IResult> AddGrant(string org, string team, GrantRequest request, ManagementCaller caller, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        if (OrganizationAccess.TryParseGrants([request], out var parsed) is { } problem) return ApiError.BadRequest(problem);
        var (organization, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct);
        if (refusal is not null) return refusal;
        var grant = await teams.AddGrantAsync(caller.Actor, organization!, found!, parsed[0].Pattern, parsed[0].Actions, ct);
        return Results.Created($"/api/v1/orgs/{org}/teams/{team}/grants/{grant.Id}", OrganizationAccess.ToResponse(grant));
    }

    private static async Task<IResult> RemoveGrant(string org, string team, long id, ManagementCaller caller, RegistryDbContext db, TeamAccounts teams,
        CancellationToken ct)
    {
        var (organization, found, refusal) = await FindTeamAsync(db, teams, org, team, caller, ct);
        if (refusal is not null) return refusal;
        return await teams.RemoveGrantAsync(caller.Actor, organization!, found!, id, ct) is { } problem ? ApiError.From(problem) : Results.NoContent();
    }

    /// <summary>The organization and team for a request that needs <paramref name="need"/> there, or the refusal.</summary>
    private static async Task<(OrganizationEntity? Organization, TeamEntity? Team, IResult? Refusal)> FindTeamAsync(RegistryDbContext db, TeamAccounts teams,
        string org, string team, ManagementCaller caller, CancellationToken ct, OrganizationNeed need = OrganizationNeed.Maintainer)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, need, ct);
        if (refusal is not null) return (null, null, refusal);
        return await teams.FindAsync(found!, team, ct) is { } entity ? (found, entity, null) : (null, null, ApiError.NotFound($"team '{team}'"));
    }
}
