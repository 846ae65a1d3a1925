using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Auth.Accounts;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Auth.External;

/// <summary>
/// Accounts whose sign-in a directory or identity provider checks: created at the first sign-in, and at every
/// sign-in their team memberships are set to what their groups map to, so a person removed from a group loses that
/// access at their next sign-in. Reader/Developer organization memberships follow the teams; owner and maintainer
/// roles, which administrators give by hand, are left alone.
/// </summary>
public sealed class ExternalAccounts(RegistryDbContext db, AuthOptions options, TimeProvider time,
    ILogger<ExternalAccounts> logger)
{
    /// <summary>The password hash of an external account: not a PHC string, so no password ever verifies against it.</summary>
    public const string NoLocalPassword = "external";

    /// <summary>
    /// The account of <paramref name="name"/> from <paramref name="source"/>, created or brought up to date; null when the
    /// name cannot be a registry user or belongs to a local account or organization (never taken over).
    /// </summary>
    public async Task<UserEntity?> SignInAsync(string name, string source, IReadOnlyCollection<string> groups, string? adminGroup,
        CancellationToken cancellationToken)
    {
        if (!NamingRules.IsValidName(name))
        {
            logger.LogWarning("{Source} user '{User}' cannot be a registry user: names are lower-case letters, digits, . _ -", source, name);
            return null;
        }
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (user is null)
        {
            if (await db.Set<OrganizationEntity>().AnyAsync(o => o.Name == name, cancellationToken)) return null;
            user = new UserEntity
            {
                Name = name, PasswordHash = NoLocalPassword, ExternalSource = source,
                SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAt = time.GetUtcNow().UtcDateTime,
            };
            db.Set<UserEntity>().Add(user);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("created {Source} user '{User}' at first sign-in", source, name);
        }
        else if (user.ExternalSource != source)
        {
            return null;
        }
        if (adminGroup is { Length: > 0 }) user.IsAdmin = groups.Contains(adminGroup);
        await SyncTeamsAsync(user, groups, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>The teams <paramref name="groups"/> name, through <see cref="AuthOptions.GroupTeams"/> or as <c>org/team</c>.</summary>
    public HashSet<(string Org, string Team)> TeamsOf(IEnumerable<string> groups)
    {
        var teams = new HashSet<(string, string)>();
        foreach (var group in groups)
            if ((options.GroupTeams.TryGetValue(group, out var mapped) ? mapped : group).Split('/') is [var org, var team]
                && NamingRules.IsValidName(org) && team.Length > 0)
                teams.Add((org, team));
        return teams;
    }

    private async Task SyncTeamsAsync(UserEntity user, IEnumerable<string> groups, CancellationToken cancellationToken)
    {
        var wanted = TeamsOf(groups);
        var current = await (
            from tm in db.Set<TeamMemberEntity>()
            join t in db.Set<TeamEntity>() on tm.TeamId equals t.Id
            join o in db.Set<OrganizationEntity>() on t.OrganizationId equals o.Id
            where tm.UserId == user.Id
            select new { Membership = tm, Org = o.Name, Team = t.Name }).ToListAsync(cancellationToken);
        foreach (var stale in current.Where(c => !wanted.Contains((c.Org, c.Team))))
            db.Set<TeamMemberEntity>().Remove(stale.Membership);

        // Teams that do not exist are skipped: an administrator creates a team and its grants, the provider only says who is in it.
        var names = wanted.Select(w => w.Org).Distinct().ToList();
        var teams = await (
            from t in db.Set<TeamEntity>()
            join o in db.Set<OrganizationEntity>() on t.OrganizationId equals o.Id
            where names.Contains(o.Name)
            select new { Team = t, Org = o.Name }).ToListAsync(cancellationToken);
        var joined = teams.Where(t => wanted.Contains((t.Org, t.Team.Name))).ToList();
        foreach (var team in joined.Where(t => !current.Any(c => c.Membership.TeamId == t.Team.Id)))
            db.Set<TeamMemberEntity>().Add(new TeamMemberEntity { TeamId = team.Team.Id, UserId = user.Id });

        var orgIds = joined.Select(t => t.Team.OrganizationId).ToHashSet();
        var memberships = await db.Set<OrganizationMemberEntity>().Where(m => m.UserId == user.Id).ToListAsync(cancellationToken);
        foreach (var membership in memberships.Where(m => m.Role <= OrganizationRole.Developer && !orgIds.Contains(m.OrganizationId)))
            db.Set<OrganizationMemberEntity>().Remove(membership);
        foreach (var orgId in orgIds.Where(id => memberships.All(m => m.OrganizationId != id)))
            db.Set<OrganizationMemberEntity>().Add(new OrganizationMemberEntity { OrganizationId = orgId, UserId = user.Id, Role = OrganizationRole.Developer });
    }
}

/// <summary>The values of <see cref="UserEntity.ExternalSource"/>.</summary>
public static class ExternalSources
{
    public const string Ldap = "ldap";
    public const string Oidc = "oidc";
}
