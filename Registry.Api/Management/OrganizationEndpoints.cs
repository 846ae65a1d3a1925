using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Auth.Data;
using Registry.Storage.Metadata;

namespace Registry.Api.Management;

/// <summary>
/// Organizations and their members. Any user may create one and becomes its owner. Who may ask is checked here
/// (<see cref="OrganizationAccess"/>); the rules (namespaces, the last owner, leaving teams) are <see cref="OrganizationAccounts"/>'.
/// </summary>
public static class OrganizationEndpoints
{
    public static RouteGroupBuilder MapOrganizations(this RouteGroupBuilder api)
    {
        // See: docs/management-api.md (this project's own API; /swagger has the schema)
        api.MapGet("/orgs", List).PagedBy<OrganizationResponse>("organization name");
        api.MapPost("/orgs", Create);
        api.MapGet("/orgs/{org}", Get);
        api.MapPatch("/orgs/{org}", Update);
        api.MapDelete("/orgs/{org}", Delete);
        api.MapGet("/orgs/{org}/members", Members).PagedBy<MemberResponse>("user name");
        api.MapPut("/orgs/{org}/members/{user}", SetMember);
        api.MapDelete("/orgs/{org}/members/{user}", RemoveMember);
        return api;
    }

    private static async Task<IResult> List(ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        var orgs = db.Set<OrganizationEntity>().AsNoTracking().Where(o => after == null || string.Compare(o.Name, after) > 0);
        if (!caller.Access.IsAdmin)
        {
            var mine = caller.Access.Memberships.Keys.ToList();
            orgs = orgs.Where(o => mine.Contains(o.Name));
        }
        var found = await orgs.OrderBy(o => o.Name).Take(page.FetchCount)
            .Select(o => new OrganizationResponse(o.Name, o.DefaultVisibility, o.CreatedAt)).ToListAsync(ct);
        return Results.Ok(page.Trim(found, o => o.Name));
    }

    private static async Task<IResult> Create(CreateOrganizationRequest request, ManagementCaller caller, OrganizationAccounts organizations, CancellationToken ct)
    {
        if (!Enum.IsDefined(request.DefaultVisibility)) return ApiError.BadRequest("defaultVisibility must be private, internal or public");
        var (org, problem) = await organizations.CreateAsync(caller.Actor, request.Name, request.DefaultVisibility, ct);
        return problem is not null ? ApiError.From(problem) : Results.Created($"/api/v1/orgs/{org!.Name}", ToResponse(org));
    }

    private static async Task<IResult> Get(string org, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        return refusal ?? Results.Ok(ToResponse(found!));
    }

    private static async Task<IResult> Update(string org, UpdateOrganizationRequest request, ManagementCaller caller, RegistryDbContext db,
        OrganizationAccounts organizations, CancellationToken ct)
    {
        if (!Enum.IsDefined(request.DefaultVisibility)) return ApiError.BadRequest("defaultVisibility must be private, internal or public");
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        await organizations.SetDefaultVisibilityAsync(caller.Actor, found!, request.DefaultVisibility, ct);
        return Results.Ok(ToResponse(found!));
    }

    private static async Task<IResult> Delete(string org, ManagementCaller caller, RegistryDbContext db, OrganizationAccounts organizations, CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        return await organizations.DeleteAsync(caller.Actor, found!, ct) is { } problem ? ApiError.From(problem) : Results.NoContent();
    }

    private static async Task<IResult> Members(string org, ManagementCaller caller, ListPage page, RegistryDbContext db, CancellationToken ct)
    {
        if (page.AfterName(NamingRules.IsValidName, out var after) is { } bad) return bad;
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        if (refusal is not null) return refusal;
        var members = await (from m in db.Set<OrganizationMemberEntity>()
                             join u in db.Set<UserEntity>() on m.UserId equals u.Id
                             where m.OrganizationId == found!.Id && (after == null || string.Compare(u.Name, after) > 0)
                             orderby u.Name
                             select new MemberResponse(u.Name, m.Role)).Take(page.FetchCount).ToListAsync(ct);
        return Results.Ok(page.Trim(members, m => m.User));
    }

    private static async Task<IResult> SetMember(string org, string user, SetMemberRequest request, ManagementCaller caller, RegistryDbContext db,
        OrganizationAccounts organizations, CancellationToken ct)
    {
        if (!Enum.IsDefined(request.Role)) return ApiError.BadRequest("role must be owner, maintainer, developer or reader");
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        return await organizations.SetMemberAsync(caller.Actor, found!, user, request.Role, ct) is { } problem
            ? ApiError.From(problem) : Results.Ok(new MemberResponse(user, request.Role));
    }

    /// <summary>Owners remove members; any member may leave (remove themselves).</summary>
    private static async Task<IResult> RemoveMember(string org, string user, ManagementCaller caller, RegistryDbContext db,
        OrganizationAccounts organizations, CancellationToken ct)
    {
        var need = user == caller.Name ? OrganizationNeed.Member : OrganizationNeed.Owner;
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, need, ct);
        if (refusal is not null) return refusal;
        return await organizations.RemoveMemberAsync(caller.Actor, found!, user, ct) is { } problem ? ApiError.From(problem) : Results.NoContent();
    }

    private static OrganizationResponse ToResponse(OrganizationEntity org) => new(org.Name, org.DefaultVisibility, org.CreatedAt);
}
