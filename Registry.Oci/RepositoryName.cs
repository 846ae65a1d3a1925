using System.Text.RegularExpressions;

namespace Registry.Oci;

/// <summary>
/// A repository name like <c>org/team/app</c>, validated against the distribution spec's grammar.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
/// </summary>
public static partial class RepositoryName
{
    /// <summary>Names longer than this are refused (many clients and proxies cap at 255).</summary>
    public const int MaxLength = 255;

    /// <summary>True when <paramref name="name"/> is a valid repository name.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && Shape().IsMatch(name);

    /// <summary>The first path component: the namespace (an organization or a user).</summary>
    public static string NamespaceOf(string name)
    {
        var slash = name.IndexOf('/');
        return slash < 0 ? name : name[..slash];
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
