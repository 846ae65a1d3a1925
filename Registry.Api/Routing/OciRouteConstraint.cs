namespace Registry.Api.Routing;

/// <summary>
/// Matches the catch-all <c>{**path}</c> of the /v2 group against one kind of OCI route, so each feature
/// maps its own endpoints (<c>{**path:oci(manifest)}</c>) while one parser decides what a path is.
/// </summary>
public sealed class OciRouteConstraint(string kind) : IRouteConstraint
{
    public const string Name = "oci";

    private readonly OciRouteKind expected = Enum.Parse<OciRouteKind>(kind, ignoreCase: true);

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection)
    {
        var path = values.TryGetValue(routeKey, out var value) ? value as string : null;
        var parsed = httpContext is null ? OciRoute.Parse(path) : OciRoute.Of(httpContext, path);
        return parsed?.Kind == expected;
    }
}
