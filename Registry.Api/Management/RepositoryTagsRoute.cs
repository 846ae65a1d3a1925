namespace Registry.Api.Management;

/// <summary>
/// <c>/api/v1/repositories/{name}/tags</c> and <c>…/tags/{tag}</c>. Repository names hold slashes and a catch-all
/// must end a route, so the name and the suffix arrive in one catch-all and are told apart here; the constraint
/// makes these routes win over <c>/repositories/{**name}</c> (a constrained catch-all has precedence).
/// </summary>
public sealed record RepositoryTagsRoute(string Repository, string? Tag)
{
    private const string Suffix = "/tags";

    /// <summary>Parses <c>name/tags</c> (<see cref="Tag"/> null) or <c>name/tags/tag</c>; null for anything else.</summary>
    public static RepositoryTagsRoute? Parse(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        if (path.EndsWith(Suffix, StringComparison.Ordinal) && path.Length > Suffix.Length)
            return new RepositoryTagsRoute(path[..^Suffix.Length], null);
        var slash = path.LastIndexOf('/');
        if (slash <= 0 || !Registry.Oci.Tag.IsValid(path[(slash + 1)..])) return null;
        var head = path[..slash];
        return head.EndsWith(Suffix, StringComparison.Ordinal) && head.Length > Suffix.Length
            ? new RepositoryTagsRoute(head[..^Suffix.Length], path[(slash + 1)..]) : null;
    }
}

/// <summary>Route constraint <c>repotags(list)</c> / <c>repotags(tag)</c> over <see cref="RepositoryTagsRoute"/>.</summary>
public sealed class RepositoryTagsConstraint(string kind) : IRouteConstraint
{
    public const string Name = "repotags";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        RepositoryTagsRoute.Parse(values.TryGetValue(routeKey, out var value) ? value as string : null) is { } parsed
        && (parsed.Tag is null) == (kind == "list");
}
