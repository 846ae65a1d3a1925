using System.Text.RegularExpressions;

namespace Registry.Auth.Accounts;

/// <summary>
/// Names of users, organizations, teams and robots. User and organization names are namespaces (the first
/// component of repository names), so they follow the repository component grammar and share one name space.
/// </summary>
public static partial class NamingRules
{
    public const int MaxLength = 64;

    /// <summary>True for a valid user, organization, team or robot name.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= MaxLength } && Component().IsMatch(name);

    /// <summary>Robots log in as <c>org+robot</c>; '+' cannot occur in user names, so the forms never collide.</summary>
    public static string RobotLogin(string organization, string robot) => $"{organization}+{robot}";

    /// <summary>Splits <c>org+robot</c>; false for anything else.</summary>
    public static bool TrySplitRobotLogin(string login, out string organization, out string robot)
    {
        var plus = login.IndexOf('+');
        organization = plus > 0 ? login[..plus] : "";
        robot = plus > 0 ? login[(plus + 1)..] : "";
        return plus > 0 && IsValidName(organization) && IsValidName(robot);
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Component();
}
