using Microsoft.EntityFrameworkCore;
using Registry.Auth.Permissions;
using Registry.Storage.Metadata;
using Registry.Auth.Data;
using Registry.Oci;

namespace Registry.Auth.Accounts;

/// <summary>
/// Finds whose namespace a repository is in and its effective visibility: its own setting, else its
/// organization's default, else private. Works for repositories that do not exist yet (first push).
/// Remembers namespaces for the lifetime of the scope, so a catalog page costs one query per namespace.
/// </summary>
public sealed class RepositoryTargetResolver(RegistryDbContext db)
{
    private readonly Dictionary<string, (NamespaceKind Kind, RepositoryVisibility Default)> namespaces = [];

    /// <summary>The evaluator's view of <paramref name="repository"/>.</summary>
    public async Task<RepositoryTarget> ResolveAsync(string repository, CancellationToken cancellationToken)
    {
        var ns = RepositoryName.NamespaceOf(repository);
        if (!namespaces.TryGetValue(ns, out var owner))
        {
            var org = await db.Set<OrganizationEntity>().AsNoTracking().Where(o => o.Name == ns)
                .Select(o => (RepositoryVisibility?)o.DefaultVisibility).FirstOrDefaultAsync(cancellationToken);
            owner = org is { } visibility ? (NamespaceKind.Organization, visibility)
                : await db.Set<UserEntity>().AnyAsync(u => u.Name == ns, cancellationToken) ? (NamespaceKind.User, RepositoryVisibility.Private)
                : (NamespaceKind.Unknown, RepositoryVisibility.Private);
            namespaces[ns] = owner;
        }
        var own = await db.Set<RepositorySettingEntity>().AsNoTracking().Where(s => s.RepositoryName == repository)
            .Select(s => (RepositoryVisibility?)s.Visibility).FirstOrDefaultAsync(cancellationToken);
        return new RepositoryTarget(repository, owner.Kind, own ?? owner.Default);
    }
}
