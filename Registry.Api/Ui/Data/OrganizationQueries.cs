using Microsoft.EntityFrameworkCore;
using Registry.Auth.Accounts;
using Registry.Auth.Permissions;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Api.Ui.Data;

public sealed record MemberRow(string User, OrganizationRole Role);
public sealed record GrantRow(string Pattern, string Actions);
public sealed record TeamRow(string Name, IReadOnlyList<GrantRow> Grants, IReadOnlyList<string> Members);
public sealed record RobotRow(string Name, string Login, string CreatedBy, DateTime CreatedAt, DateTime? RevokedAt, IReadOnlyList<GrantRow> Grants);
public sealed record TokenRow(long Id, string Name, string Actions, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt);

/// <summary>An organization as its page shows it.</summary>
public sealed record OrganizationView(string Name, RepositoryVisibility DefaultVisibility, IReadOnlyList<MemberRow> Members,
    IReadOnlyList<TeamRow> Teams, IReadOnlyList<RobotRow> Robots);

/// <summary>Reads organizations, their members, teams, grants and robots, and a user's personal tokens (no secrets).</summary>
public sealed class OrganizationQueries(RegistryDbContext db)
{
    /// <summary>The organizations <paramref name="viewer"/> belongs to (every one for an administrator).</summary>
    public async Task<IReadOnlyList<string>> VisibleToAsync(AccessSubject viewer, CancellationToken cancellationToken)
    {
        var names = await db.Set<OrganizationEntity>().AsNoTracking().OrderBy(o => o.Name).Select(o => o.Name).ToListAsync(cancellationToken);
        return viewer.IsAdmin ? names : names.Where(n => AccessEvaluator.IsMember(viewer, n)).ToList();
    }

    public async Task<OrganizationView?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var org = await db.Set<OrganizationEntity>().AsNoTracking().FirstOrDefaultAsync(o => o.Name == name, cancellationToken);
        if (org is null) return null;
        var members = await (from m in db.Set<OrganizationMemberEntity>().AsNoTracking()
                             join u in db.Set<UserEntity>() on m.UserId equals u.Id
                             where m.OrganizationId == org.Id
                             orderby u.Name
                             select new MemberRow(u.Name, m.Role)).ToListAsync(cancellationToken);
        var teams = await db.Set<TeamEntity>().AsNoTracking().Where(t => t.OrganizationId == org.Id).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        var teamIds = teams.Select(t => t.Id).ToList();
        var robots = await db.Set<RobotEntity>().AsNoTracking().Where(r => r.OrganizationId == org.Id).OrderBy(r => r.Name).ToListAsync(cancellationToken);
        var robotIds = robots.Select(r => r.Id).ToList();
        var grants = await db.Set<RepositoryGrantEntity>().AsNoTracking()
            .Where(g => (g.TeamId != null && teamIds.Contains(g.TeamId.Value)) || (g.RobotId != null && robotIds.Contains(g.RobotId.Value)))
            .ToListAsync(cancellationToken);
        var teamMembers = await (from tm in db.Set<TeamMemberEntity>().AsNoTracking()
                                 join u in db.Set<UserEntity>() on tm.UserId equals u.Id
                                 where teamIds.Contains(tm.TeamId)
                                 select new { tm.TeamId, u.Name }).ToListAsync(cancellationToken);
        return new OrganizationView(org.Name, org.DefaultVisibility, members,
            teams.Select(t => new TeamRow(t.Name,
                grants.Where(g => g.TeamId == t.Id).Select(g => new GrantRow(g.Pattern, g.Actions)).ToList(),
                teamMembers.Where(m => m.TeamId == t.Id).Select(m => m.Name).Order(StringComparer.Ordinal).ToList())).ToList(),
            robots.Select(r => new RobotRow(r.Name, NamingRules.RobotLogin(org.Name, r.Name), r.CreatedBy, r.CreatedAt, r.RevokedAt,
                grants.Where(g => g.RobotId == r.Id).Select(g => new GrantRow(g.Pattern, g.Actions)).ToList())).ToList());
    }

    public async Task<IReadOnlyList<TokenRow>> TokensOfAsync(string user, CancellationToken cancellationToken) =>
        await (from t in db.Set<PersonalAccessTokenEntity>().AsNoTracking()
               join u in db.Set<UserEntity>() on t.UserId equals u.Id
               where u.Name == user
               orderby t.CreatedAt descending
               select new TokenRow(t.Id, t.Name, t.Actions, t.CreatedAt, t.ExpiresAt, t.RevokedAt)).ToListAsync(cancellationToken);
}
