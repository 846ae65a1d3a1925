using System.Text.Json.Serialization;
using Registry.Api.Errors;
using Registry.Api.Routing;
using Registry.Storage.Metadata;

namespace Registry.Api.Tags;

/// <summary><c>GET /v2/&lt;name&gt;/tags/list</c>: tags in lexical order, paginated with <c>n</c>/<c>last</c>.</summary>
public static class TagEndpoints
{
    public static RouteGroupBuilder MapTags(this RouteGroupBuilder group)
    {
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
        group.MapGet("/{**path:oci(tags)}", ListTags);
        return group;
    }

    private static async Task<IResult> ListTags(OciRoute route, HttpContext context, IMetadataStore metadata, CancellationToken cancellationToken)
    {
        if (!Pagination.TryRead(context.Request, out var page, out var error)) return error!;
        // Without n the spec wants every tag; the store is still asked in bounded pages of the cap.
        var fetched = await metadata.ListTagsAsync(route.Name, page.Last, page.FetchCount(Pagination.MaxPageSize), cancellationToken);
        if (fetched is null) return OciError.NameUnknown(route.Name);
        var tags = page.Page(context, fetched, Pagination.MaxPageSize, $"/v2/{route.Name}/tags/list");
        return Results.Json(new TagList(route.Name, tags));
    }

    private sealed record TagList(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);
}
