using Registry.Auth.Data;

namespace Registry.Auth.Permissions;

/// <summary>
/// The permission model as one pure function: which actions a subject may take on a repository.
/// Rules (docs/decisions/001-auth-permission-model.md explains why):
/// <list type="bullet">
/// <item>an administrator may do anything;</item>
/// <item>anyone, even anonymous, may pull a public repository;</item>
/// <item>a user may do anything in the namespace named after them;</item>
/// <item>organization owners and maintainers may do anything in their organization;</item>
/// <item>any member may pull an internal repository of their organization;</item>
/// <item>team grants give their actions on matching repositories, capped by the member's role
///   (developer: pull and push; reader: pull);</item>
/// <item>a robot gets exactly its grants' actions (pull, push, delete) on matching repositories of its organization;</item>
/// <item>everything is capped by the subject's ceiling (a personal access token's actions).</item>
/// </list>
/// </summary>
public static class AccessEvaluator
{
    /// <summary>The actions <paramref name="subject"/> may take on <paramref name="repository"/>.</summary>
    public static RegistryActions Evaluate(AccessSubject subject, RepositoryTarget repository)
    {
        if (subject.IsAdmin) return RegistryActions.All & subject.Ceiling;

        var allowed = repository.Visibility == RepositoryVisibility.Public ? RegistryActions.Pull : RegistryActions.None;
        var ns = repository.Namespace;
        var grantCeiling = RegistryActions.None;

        if (subject.Kind == SubjectKind.User && repository.NamespaceKind == NamespaceKind.User && ns == subject.Name)
            allowed |= RegistryActions.All;

        if (subject.Kind == SubjectKind.User && repository.NamespaceKind == NamespaceKind.Organization
            && subject.Memberships.TryGetValue(ns, out var role))
        {
            if (role >= OrganizationRole.Maintainer) allowed |= RegistryActions.All;
            if (repository.Visibility == RepositoryVisibility.Internal) allowed |= RegistryActions.Pull;
            grantCeiling = RoleCeiling(role);
        }
        else if (subject.Kind == SubjectKind.Robot && repository.NamespaceKind == NamespaceKind.Organization)
        {
            grantCeiling = RegistryActions.Pull | RegistryActions.Push | RegistryActions.Delete;
        }

        if (grantCeiling != RegistryActions.None)
        {
            var relative = repository.RelativeName;
            foreach (var grant in subject.Grants)
                if (grant.Namespace == ns && grant.Pattern.Matches(relative))
                    allowed |= grant.Actions & grantCeiling;
        }
        return allowed & subject.Ceiling;
    }

    /// <summary>The most a team grant can give a member with <paramref name="role"/>.</summary>
    public static RegistryActions RoleCeiling(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner or OrganizationRole.Maintainer => RegistryActions.All,
        OrganizationRole.Developer => RegistryActions.Pull | RegistryActions.Push,
        _ => RegistryActions.Pull,
    };

    /// <summary>True when the subject may manage the organization's teams and robots (owners and maintainers).</summary>
    public static bool CanManageOrganization(AccessSubject subject, string organization) =>
        HasOrganizationRole(subject, organization, OrganizationRole.Maintainer);

    /// <summary>True when the subject owns the organization (members, audit log).</summary>
    public static bool IsOwner(AccessSubject subject, string organization) =>
        HasOrganizationRole(subject, organization, OrganizationRole.Owner);

    /// <summary>True when the subject may read the organization at all (any member).</summary>
    public static bool IsMember(AccessSubject subject, string organization) =>
        subject.IsAdmin || subject.Kind == SubjectKind.User && subject.Memberships.ContainsKey(organization);

    // Management needs the Manage action in the ceiling, so a pull-only token cannot administer anything.
    private static bool HasOrganizationRole(AccessSubject subject, string organization, OrganizationRole atLeast) =>
        subject.Ceiling.HasFlag(RegistryActions.Manage)
        && (subject.IsAdmin || subject.Kind == SubjectKind.User
            && subject.Memberships.TryGetValue(organization, out var role) && role >= atLeast);
}
