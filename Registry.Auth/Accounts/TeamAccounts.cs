using Microsoft.EntityFrameworkCore;
using Registry.Auth.Data;
using Registry.Storage.Metadata;

namespace Registry.Auth.Accounts;

/// <summary>
/// The rules of teams: a valid name unique in its organization; only members of the organization join its teams (so
/// leaving the organization, which leaves its teams, ends every grant it gave). Who may ask is the host's check; each
/// change is saved with its audit entry.
/// </summary>
public sealed class TeamAccounts(RegistryDbContext db, AuditLog audit)
{
    public Task<TeamEntity?> FindAsync(OrganizationEntity org, string team, CancellationToken cancellationToken) =>
        db.Set<TeamEntity>().FirstOrDefaultAsync(t => t.OrganizationId == org.Id && t.Name == team, cancellationToken);

    public async Task<AccountProblem?> CreateAsync(AccountActor actor, OrganizationEntity org, string? name, CancellationToken cancellationToken)
    {
        if (!NamingRules.IsValidName(name)) return AccountProblem.Invalid($"invalid team name '{name}'");
        if (await db.Set<TeamEntity>().AnyAsync(t => t.OrganizationId == org.Id && t.Name == name, cancellationToken))
            return AccountProblem.Conflict($"team '{name}' already exists");
        db.Set<TeamEntity>().Add(new TeamEntity { OrganizationId = org.Id, Name = name! });
        audit.Add(actor.Name, actor.ClientAddress, "team.create", name!, org.Name);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task DeleteAsync(AccountActor actor, OrganizationEntity org, TeamEntity team, CancellationToken cancellationToken)
    {
        db.Set<TeamEntity>().Remove(team);
        audit.Add(actor.Name, actor.ClientAddress, "team.delete", team.Name, org.Name);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Adds a member of the organization to the team (nothing to do when already in it).</summary>
    public async Task<AccountProblem?> AddMemberAsync(AccountActor actor, OrganizationEntity org, TeamEntity team, string userName,
        CancellationToken cancellationToken)
    {
        var userId = await (from m in db.Set<OrganizationMemberEntity>()
                            join u in db.Set<UserEntity>() on m.UserId equals u.Id
                            where m.OrganizationId == org.Id && u.Name == userName
                            select (long?)u.Id).FirstOrDefaultAsync(cancellationToken);
        if (userId is null) return AccountProblem.Invalid($"'{userName}' is not a member of '{org.Name}'; add them to the organization first");
        if (await db.Set<TeamMemberEntity>().AnyAsync(tm => tm.TeamId == team.Id && tm.UserId == userId, cancellationToken)) return null;
        db.Set<TeamMemberEntity>().Add(new TeamMemberEntity { TeamId = team.Id, UserId = userId.Value });
        audit.Add(actor.Name, actor.ClientAddress, "team.member.add", $"{team.Name}/{userName}", org.Name);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    public async Task<AccountProblem?> RemoveMemberAsync(AccountActor actor, OrganizationEntity org, TeamEntity team, string userName,
        CancellationToken cancellationToken)
    {
        var membership = await (from tm in db.Set<TeamMemberEntity>()
                                join u in db.Set<UserEntity>() on tm.UserId equals u.Id
                                where tm.TeamId == team.Id && u.Name == userName
                                select tm).FirstOrDefaultAsync(cancellationToken);
        if (membership is null) return AccountProblem.NotFound($"team member '{userName}'");
        db.Set<TeamMemberEntity>().Remove(membership);
        audit.Add(actor.Name, actor.ClientAddress, "team.member.remove", $"{team.Name}/{userName}", org.Name);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Grants <paramref name="actions"/> (comma-separated words, already checked) on repositories matching <paramref name="pattern"/>.</summary>
    public async Task<RepositoryGrantEntity> AddGrantAsync(AccountActor actor, OrganizationEntity org, TeamEntity team, string pattern, string actions,
        CancellationToken cancellationToken)
    {
        var grant = new RepositoryGrantEntity { TeamId = team.Id, Pattern = pattern, Actions = actions };
        db.Set<RepositoryGrantEntity>().Add(grant);
        audit.Add(actor.Name, actor.ClientAddress, "team.grant.add", team.Name, org.Name, $"{grant.Pattern}:{grant.Actions}");
        await db.SaveChangesAsync(cancellationToken);
        return grant;
    }

    public async Task<AccountProblem?> RemoveGrantAsync(AccountActor actor, OrganizationEntity org, TeamEntity team, long id, CancellationToken cancellationToken)
    {
        var grant = await db.Set<RepositoryGrantEntity>().FirstOrDefaultAsync(g => g.Id == id && g.TeamId == team.Id, cancellationToken);
        if (grant is null) return AccountProblem.NotFound($"grant {id}");
        db.Set<RepositoryGrantEntity>().Remove(grant);
        audit.Add(actor.Name, actor.ClientAddress, "team.grant.remove", team.Name, org.Name, $"{grant.Pattern}:{grant.Actions}");
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }
}
