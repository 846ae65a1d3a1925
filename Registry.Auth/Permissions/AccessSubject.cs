using Registry.Auth.Data;

namespace Registry.Auth.Permissions;

/// <summary>What kind of caller a request comes from.</summary>
public enum SubjectKind { Anonymous, User, Robot }

/// <summary>A grant of actions on repositories matching a pattern inside one organization (team or robot grant).</summary>
public sealed record NamespaceGrant(string Namespace, RepositoryPattern Pattern, RegistryActions Actions);

/// <summary>
/// Everything the evaluator needs to know about a caller, loaded once per authentication.
/// </summary>
/// <param name="Kind">Anonymous, user or robot.</param>
/// <param name="Name">User name, robot name (<c>org+robot</c>) or empty for anonymous.</param>
/// <param name="IsAdmin">A registry administrator may do anything.</param>
/// <param name="Memberships">Organization name → the user's role in it.</param>
/// <param name="Grants">Team grants of the user's teams, or a robot's own grants.</param>
/// <param name="Ceiling">An upper bound on everything (a personal access token's actions); <see cref="RegistryActions.All"/> otherwise.</param>
public sealed record AccessSubject(
    SubjectKind Kind,
    string Name,
    bool IsAdmin,
    IReadOnlyDictionary<string, OrganizationRole> Memberships,
    IReadOnlyList<NamespaceGrant> Grants,
    RegistryActions Ceiling)
{
    /// <summary>The caller with no credentials.</summary>
    public static readonly AccessSubject Anonymous =
        new(SubjectKind.Anonymous, "", false, new Dictionary<string, OrganizationRole>(), [], RegistryActions.Pull);
}

/// <summary>What a namespace (the first path component of a repository name) belongs to.</summary>
public enum NamespaceKind { Unknown, Organization, User }

/// <summary>A repository as the evaluator sees it: its name, whose namespace it is in, and its visibility
/// (the organization's default when the repository does not exist yet).</summary>
public sealed record RepositoryTarget(string Name, NamespaceKind NamespaceKind, RepositoryVisibility Visibility)
{
    /// <summary>The first path component.</summary>
    public string Namespace => Oci.RepositoryName.NamespaceOf(Name);

    /// <summary>The name below the namespace, which repository patterns match against.</summary>
    public string RelativeName => Name.Length > Namespace.Length ? Name[(Namespace.Length + 1)..] : "";
}
