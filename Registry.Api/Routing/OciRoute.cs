namespace Registry.Api.Routing;

/// <summary>What a /v2 path addresses.</summary>
public enum OciRouteKind
{
    Blob,
    UploadStart,
    Upload,
    Manifest,
    Tags,
    Referrers,
}

/// <summary>
/// A parsed /v2 path: the kind of resource, the repository name (which may contain slashes) and the
/// last segment (digest, reference or upload id). Names and references are not validated here: the /v2
/// group's filter answers NAME_INVALID, and handlers check their own reference.
/// </summary>
public sealed record OciRoute(OciRouteKind Kind, string Name, string Reference)
{
    private const string ItemKey = nameof(OciRoute);

    /// <summary>
    /// Parses the part of the path after <c>/v2/</c>, e.g. <c>org/app/manifests/1.0</c>; null when it
    /// is not a repository route. The suffix is matched from the right, so names may contain segments such
    /// as <c>blobs</c> or <c>manifests</c> themselves.
    /// </summary>
    public static OciRoute? Parse(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var segments = path.Split('/');
        var count = segments.Length;
        // `<name>/blobs/uploads/` (trailing slash) or `<name>/blobs/uploads`
        if (count >= 3 && segments[^1] == "" && segments[^2] == "uploads" && segments[^3] == "blobs")
            return Build(OciRouteKind.UploadStart, segments, 3, "");
        if (count >= 3 && segments[^1] == "uploads" && segments[^2] == "blobs")
            return Build(OciRouteKind.UploadStart, segments, 2, "");
        if (count >= 4 && segments[^2] == "uploads" && segments[^3] == "blobs")
            return Build(OciRouteKind.Upload, segments, 3, segments[^1]);
        if (count >= 3 && segments[^1] == "list" && segments[^2] == "tags")
            return Build(OciRouteKind.Tags, segments, 2, "");
        if (count >= 3)
        {
            var kind = segments[^2] switch
            {
                "blobs" => OciRouteKind.Blob,
                "manifests" => OciRouteKind.Manifest,
                "referrers" => OciRouteKind.Referrers,
                _ => (OciRouteKind?)null,
            };
            if (kind is { } k) return Build(k, segments, 2, segments[^1]);
        }
        return null;
    }

    /// <summary>The route of the current request, parsed once per request (by the route constraint).</summary>
    public static OciRoute? Of(HttpContext context, string? path)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is (string p, OciRoute r) && p == path) return r;
        var route = Parse(path);
        if (route is not null) context.Items[ItemKey] = (path, route);
        return route;
    }

    /// <summary>Binds a handler parameter to the current request's route.</summary>
    public static ValueTask<OciRoute?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(Of(context, context.GetRouteValue("path") as string));

    private static OciRoute? Build(OciRouteKind kind, string[] segments, int suffixLength, string reference)
    {
        var name = string.Join('/', segments[..^suffixLength]);
        return name.Length == 0 ? null : new OciRoute(kind, name, reference);
    }
}
