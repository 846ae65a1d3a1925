using Microsoft.EntityFrameworkCore;
using Registry.Auth.Data;
using Registry.Storage.Metadata;

namespace Registry.Auth.Accounts;

/// <summary>
/// The rules of organizations and their members: a name is a namespace no user or organization has; the creator is
/// the first owner; an organization always keeps an owner (the last one can neither leave, be removed nor be demoted);
/// leaving an organization leaves its teams, so no team grant outlives the membership; an organization with
/// repositories is not deleted. Who may ask is the host's check; each change is saved with its audit entry.
/// </summary>
public sealed class OrganizationAccounts(RegistryDbContext db, UserAccounts users, AuditLog audit, TimeProvider time)
{
    public async Task<(OrganizationEntity? Organization, AccountProblem? Problem)> CreateAsync(AccountActor actor, string? name,
        RepositoryVisibility defaultVisibility, CancellationToken cancellationToken)
    {
        if (UserAccounts.NameProblem("organization", name) is { } invalid) return (null, AccountProblem.Invalid(invalid));
        if (await users.NamespaceTakenAsync(name!, cancellationToken)) return (null, AccountProblem.Conflict($"'{name}' is already a user or organization"));
        var owner = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == actor.Name, cancellationToken);
        if (owner is null) return (null, AccountProblem.NotFound($"user '{actor.Name}'"));
        var org = new OrganizationEntity { Name = name!, DefaultVisibility = defaultVisibility, CreatedAt = time.GetUtcNow().UtcDateTime };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Set<OrganizationEntity>().Add(org);
        await db.SaveChangesAsync(cancellationToken);
        db.Set<OrganizationMemberEntity>().Add(new OrganizationMemberEntity { OrganizationId = org.Id, UserId = owner.Id, Role = OrganizationRole.Owner });
        audit.Add(actor.Name, actor.ClientAddress, "org.create", org.Name, org.Name, $"defaultVisibility={org.DefaultVisibility}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (org, null);
    }

    public async Task SetDefaultVisibilityAsync(AccountActor actor, OrganizationEntity org, RepositoryVisibility visibility, CancellationToken cancellationToken)
    {
        org.DefaultVisibility = visibility;
        audit.Add(actor.Name, actor.ClientAddress, "org.update", org.Name, org.Name, $"defaultVisibility={visibility}");
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AccountProblem?> DeleteAsync(AccountActor actor, OrganizationEntity org, CancellationToken cancellationToken)
    {
        var prefix = org.Name + "/";
        if (await db.Repositories.AnyAsync(r => r.Name.StartsWith(prefix) || r.Name == org.Name, cancellationToken))
            return AccountProblem.Conflict($"'{org.Name}' still has repositories; delete them first");
        db.Set<OrganizationEntity>().Remove(org);
        audit.Add(actor.Name, actor.ClientAddress, "org.delete", org.Name, org.Name);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Adds <paramref name="userName"/> with <paramref name="role"/>, or changes their role (never the last owner's).</summary>
    public async Task<AccountProblem?> SetMemberAsync(AccountActor actor, OrganizationEntity org, string userName, OrganizationRole role,
        CancellationToken cancellationToken)
    {
        var user = await db.Set<UserEntity>().FirstOrDefaultAsync(u => u.Name == userName, cancellationToken);
        if (user is null) return AccountProblem.NotFound($"user '{userName}'");
        var existing = await db.Set<OrganizationMemberEntity>().FirstOrDefaultAsync(m => m.OrganizationId == org.Id && m.UserId == user.Id, cancellationToken);
        if (existing is null)
            db.Set<OrganizationMemberEntity>().Add(new OrganizationMemberEntity { OrganizationId = org.Id, UserId = user.Id, Role = role });
        else
        {
            if (existing.Role == OrganizationRole.Owner && role != OrganizationRole.Owner && await IsLastOwnerAsync(org.Id, cancellationToken))
                return LastOwner;
            existing.Role = role;
        }
        audit.Add(actor.Name, actor.ClientAddress, "org.member.set", userName, org.Name, $"role={role}");
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Removes a member (never the last owner) together with their memberships of the organization's teams.</summary>
    public async Task<AccountProblem?> RemoveMemberAsync(AccountActor actor, OrganizationEntity org, string userName, CancellationToken cancellationToken)
    {
        var membership = await (from m in db.Set<OrganizationMemberEntity>()
                                join u in db.Set<UserEntity>() on m.UserId equals u.Id
                                where m.OrganizationId == org.Id && u.Name == userName
                                select m).FirstOrDefaultAsync(cancellationToken);
        if (membership is null) return AccountProblem.NotFound($"member '{userName}'");
        if (membership.Role == OrganizationRole.Owner && await IsLastOwnerAsync(org.Id, cancellationToken)) return LastOwner;
        var teams = await (from tm in db.Set<TeamMemberEntity>()
                           join t in db.Set<TeamEntity>() on tm.TeamId equals t.Id
                           where t.OrganizationId == org.Id && tm.UserId == membership.UserId
                           select tm).ToListAsync(cancellationToken);
        db.Set<TeamMemberEntity>().RemoveRange(teams);
        db.Set<OrganizationMemberEntity>().Remove(membership);
        audit.Add(actor.Name, actor.ClientAddress, "org.member.remove", userName, org.Name);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    private static readonly AccountProblem LastOwner = AccountProblem.Conflict("an organization keeps at least one owner");

    private async Task<bool> IsLastOwnerAsync(long orgId, CancellationToken cancellationToken) =>
        await db.Set<OrganizationMemberEntity>().CountAsync(m => m.OrganizationId == orgId && m.Role == OrganizationRole.Owner, cancellationToken) <= 1;
}
