using Microsoft.EntityFrameworkCore;
using Registry.Auth.Permissions;
using Registry.Auth.Tokens;
using Registry.Storage.Metadata;
using Registry.Auth.Data;

namespace Registry.Auth.Accounts;

/// <summary>
/// Turns a credential reference (from a verified login or a validated token) into the caller's current
/// <see cref="AccessSubject"/>, re-reading the database each time so that a revoked robot or token, a deleted
/// or disabled user or a changed password takes effect at once. Null means the credential no longer works.
/// </summary>
public sealed class SubjectResolver(RegistryDbContext db, TimeProvider time)
{
    /// <summary>The caller behind <paramref name="subject"/>, or null when its credential was revoked, expired or deleted.</summary>
    public async Task<AccessSubject?> ResolveAsync(TokenSubject subject, CancellationToken cancellationToken)
    {
        switch (subject.Kind)
        {
            case CredentialKind.Anonymous:
                return AccessSubject.Anonymous;
            case CredentialKind.Password:
                var user = await db.Set<UserEntity>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == subject.CredentialId, cancellationToken);
                if (user is null || user.Name != subject.Name || user.DisabledAt is not null) return null;
                if (subject.Stamp is not null && subject.Stamp != user.SecurityStamp) return null;
                return await LoadUserAsync(user, RegistryActions.All, cancellationToken);
            case CredentialKind.PersonalToken:
                var now = time.GetUtcNow().UtcDateTime;
                var token = await db.Set<PersonalAccessTokenEntity>().AsNoTracking()
                    .FirstOrDefaultAsync(t => t.Id == subject.CredentialId && t.RevokedAt == null, cancellationToken);
                if (token is null || token.ExpiresAt <= now) return null;
                var owner = await db.Set<UserEntity>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == token.UserId, cancellationToken);
                if (owner is null || owner.Name != subject.Name || owner.DisabledAt is not null) return null;
                return await LoadUserAsync(owner, RegistryActionNames.ParseAll(token.Actions.Split(',')), cancellationToken);
            case CredentialKind.Robot:
                var robot = await db.Set<RobotEntity>().AsNoTracking()
                    .FirstOrDefaultAsync(r => r.Id == subject.CredentialId && r.RevokedAt == null, cancellationToken);
                return robot is null ? null : await LoadRobotAsync(robot, cancellationToken);
            default:
                return null;
        }
    }

    /// <summary>A user's memberships and team grants, capped by <paramref name="ceiling"/>.</summary>
    public async Task<AccessSubject> LoadUserAsync(UserEntity user, RegistryActions ceiling, CancellationToken cancellationToken)
    {
        var memberships = await (
            from m in db.Set<OrganizationMemberEntity>()
            join o in db.Set<OrganizationEntity>() on m.OrganizationId equals o.Id
            where m.UserId == user.Id
            select new { o.Name, m.Role }).ToListAsync(cancellationToken);
        var grants = await (
            from tm in db.Set<TeamMemberEntity>()
            join t in db.Set<TeamEntity>() on tm.TeamId equals t.Id
            join o in db.Set<OrganizationEntity>() on t.OrganizationId equals o.Id
            join g in db.Set<RepositoryGrantEntity>() on t.Id equals g.TeamId
            where tm.UserId == user.Id
            select new { Org = o.Name, g.Pattern, g.Actions }).ToListAsync(cancellationToken);
        return new AccessSubject(SubjectKind.User, user.Name, user.IsAdmin,
            memberships.ToDictionary(m => m.Name, m => m.Role),
            grants.Select(g => ToGrant(g.Org, g.Pattern, g.Actions)).OfType<NamespaceGrant>().ToList(),
            ceiling);
    }

    /// <summary>A robot's own grants inside its organization.</summary>
    public async Task<AccessSubject> LoadRobotAsync(RobotEntity robot, CancellationToken cancellationToken)
    {
        var org = await db.Set<OrganizationEntity>().AsNoTracking().Where(o => o.Id == robot.OrganizationId)
            .Select(o => o.Name).FirstAsync(cancellationToken);
        var grants = await db.Set<RepositoryGrantEntity>().AsNoTracking().Where(g => g.RobotId == robot.Id).ToListAsync(cancellationToken);
        return new AccessSubject(SubjectKind.Robot, NamingRules.RobotLogin(org, robot.Name), false,
            new Dictionary<string, OrganizationRole>(),
            grants.Select(g => ToGrant(org, g.Pattern, g.Actions)).OfType<NamespaceGrant>().ToList(),
            RegistryActions.All);
    }

    private static NamespaceGrant? ToGrant(string org, string pattern, string actions) =>
        RepositoryPattern.TryParse(pattern, out var parsed)
            ? new NamespaceGrant(org, parsed, RegistryActionNames.ParseAll(actions.Split(',')))
            : null;
}
