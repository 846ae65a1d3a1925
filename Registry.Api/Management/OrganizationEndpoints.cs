using Microsoft.EntityFrameworkCore;
using Registry.Api.Management.Paging;
using Registry.Auth.Accounts;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Management;

/// <summary>Organizations and their members. Any user may create one and becomes its owner.</summary>
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

    private static async Task<IResult> Create(CreateOrganizationRequest request, ManagementCaller caller, RegistryDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!NamingRules.IsValidName(request.Name)) return ApiError.BadRequest($"invalid organization name '{request.Name}': lower-case letters, digits, . _ -, at most {NamingRules.MaxLength}");
        if (!Enum.IsDefined(request.DefaultVisibility)) return ApiError.BadRequest("defaultVisibility must be private, internal or public");
        if (await UserEndpoints.NamespaceTakenAsync(db, request.Name, ct)) return ApiError.Conflict($"'{request.Name}' is already a user or organization");
        var owner = await db.Set<UserEntity>().FirstAsync(u => u.Name == caller.Name, ct);
        var org = new OrganizationEntity { Name = request.Name, DefaultVisibility = request.DefaultVisibility, CreatedAt = time.GetUtcNow().UtcDateTime };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Set<OrganizationEntity>().Add(org);
        await db.SaveChangesAsync(ct);
        db.Set<OrganizationMemberEntity>().Add(new OrganizationMemberEntity { OrganizationId = org.Id, UserId = owner.Id, Role = OrganizationRole.Owner });
        caller.Record("org.create", org.Name, org.Name, $"defaultVisibility={org.DefaultVisibility}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Created($"/api/v1/orgs/{org.Name}", new OrganizationResponse(org.Name, org.DefaultVisibility, org.CreatedAt));
    }

    private static async Task<IResult> Get(string org, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Member, ct);
        return refusal ?? Results.Ok(new OrganizationResponse(found!.Name, found.DefaultVisibility, found.CreatedAt));
    }

    private static async Task<IResult> Update(string org, UpdateOrganizationRequest request, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        if (!Enum.IsDefined(request.DefaultVisibility)) return ApiError.BadRequest("defaultVisibility must be private, internal or public");
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        found!.DefaultVisibility = request.DefaultVisibility;
        caller.Record("org.update", org, org, $"defaultVisibility={request.DefaultVisibility}");
        await db.SaveChangesAsync(ct);
        return Results.Ok(new OrganizationResponse(found.Name, found.DefaultVisibility, found.CreatedAt));
    }

    private static async Task<IResult> Delete(string org, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        var prefix = org + "/";
        if (await db.Repositories.AnyAsync(r => r.Name.StartsWith(prefix) || r.Name == org, ct))
            return ApiError.Conflict($"'{org}' still has repositories; delete them first");
        db.Set<OrganizationEntity>().Remove(found!);
        caller.Record("org.delete", org, org);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
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

    private static async Task<IResult> SetMember(string org, string user, SetMemberRequest request, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        if (!Enum.IsDefined(request.Role)) return ApiError.BadRequest("role must be owner, maintainer, developer or reader");
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        var member = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == user, ct);
        if (member is null) return ApiError.NotFound($"user '{user}'");
        var existing = await db.Set<OrganizationMemberEntity>().FirstOrDefaultAsync(m => m.OrganizationId == found!.Id && m.UserId == member.Id, ct);
        if (existing is null)
            db.Set<OrganizationMemberEntity>().Add(new OrganizationMemberEntity { OrganizationId = found!.Id, UserId = member.Id, Role = request.Role });
        else
        {
            if (existing.Role == OrganizationRole.Owner && request.Role != OrganizationRole.Owner && await IsLastOwnerAsync(db, found!.Id, ct))
                return ApiError.Conflict("an organization keeps at least one owner");
            existing.Role = request.Role;
        }
        caller.Record("org.member.set", user, org, $"role={request.Role}");
        await db.SaveChangesAsync(ct);
        return Results.Ok(new MemberResponse(user, request.Role));
    }

    private static async Task<IResult> RemoveMember(string org, string user, ManagementCaller caller, RegistryDbContext db, CancellationToken ct)
    {
        var (found, refusal) = await OrganizationAccess.FindAsync(db, org, caller, OrganizationNeed.Owner, ct);
        if (refusal is not null) return refusal;
        var membership = await (from m in db.Set<OrganizationMemberEntity>()
                                join u in db.Set<UserEntity>() on m.UserId equals u.Id
                                where m.OrganizationId == found!.Id && u.Name == user
                                select m).FirstOrDefaultAsync(ct);
        if (membership is null) return ApiError.NotFound($"member '{user}'");
        if (membership.Role == OrganizationRole.Owner && await IsLastOwnerAsync(db, found!.Id, ct))
            return ApiError.Conflict("an organization keeps at least one owner");
        // Leaving the organization also leaves its teams, so no team grant outlives the membership.
        var teams = await (from tm in db.Set<TeamMemberEntity>()
                           join t in db.Set<TeamEntity>() on tm.TeamId equals t.Id
                           where t.OrganizationId == found!.Id && tm.UserId == membership.UserId
                           select tm).ToListAsync(ct);
        db.Set<TeamMemberEntity>().RemoveRange(teams);
        db.Set<OrganizationMemberEntity>().Remove(membership);
        caller.Record("org.member.remove", user, org);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<bool> IsLastOwnerAsync(RegistryDbContext db, long orgId, CancellationToken ct) =>
        await db.Set<OrganizationMemberEntity>().CountAsync(m => m.OrganizationId == orgId && m.Role == OrganizationRole.Owner, ct) <= 1;
}
