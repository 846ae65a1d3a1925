using Registry.Auth.Permissions;
using Registry.Auth.Data;
using static Registry.Auth.Permissions.RegistryActions;

namespace Registry.Tests.Auth;

/// <summary>
/// The documented permission matrix (docs/decisions/001-auth-permission-model.md): what each kind of caller may do
/// to a repository of organization <c>acme</c> for each visibility. The unit test checks the evaluator against it
/// and the HTTP test checks the running registry against it, cell by cell.
/// Team members are in a team granted pull, push and delete on <c>*</c>; the robot is granted pull and push on <c>*</c>.
/// </summary>
public static class PermissionMatrix
{
    public static readonly string[] Callers =
        ["owner", "maintainer", "developer", "reader", "developer+team", "reader+team", "outsider", "anonymous", "robot", "admin"];

    public static readonly RepositoryVisibility[] Visibilities = [RepositoryVisibility.Private, RepositoryVisibility.Internal, RepositoryVisibility.Public];

    public static RegistryActions Expected(string caller, RepositoryVisibility visibility) => (caller, visibility) switch
    {
        ("owner" or "maintainer" or "admin", _) => All,
        ("developer+team", _) => Pull | Push,
        ("robot", _) => Pull | Push,
        ("reader+team", _) => Pull,
        ("developer" or "reader", RepositoryVisibility.Internal or RepositoryVisibility.Public) => Pull,
        ("outsider" or "anonymous", RepositoryVisibility.Public) => Pull,
        _ => None,
    };
}
