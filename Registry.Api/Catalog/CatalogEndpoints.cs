using System.Text.Json.Serialization;
using Registry.Api.Access;
using Registry.Api.Routing;
using Registry.Storage.Metadata;

namespace Registry.Api.Catalog;

/// <summary><c>GET /v2/_catalog</c>: repository names in lexical order, paginated, filtered by the access policy.</summary>
public static class CatalogEndpoints
{
    /// <summary>The page size when the client gives no <c>n</c>.</summary>
    public const int DefaultPageSize = 100;

    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder group)
    {
        // See: https://distribution.github.io/distribution/spec/api/#catalog (not part of the OCI spec; Docker's API)
        group.MapGet("/_catalog", ListRepositories);
        return group;
    }

    private static async Task<IResult> ListRepositories(HttpContext context, IMetadataStore metadata, IRegistryAccessPolicy policy, CancellationToken cancellationToken)
    {
        if (!Pagination.TryRead(context.Request, out var page, out var error)) return error!;
        if (await policy.AuthorizeAsync(context, null, RegistryAction.Pull) is { } refused) return refused;
        var wanted = page.FetchCount(DefaultPageSize);
        var visible = new List<string>(Math.Min(wanted, 1024));
        var last = page.Last;
        // Ask in batches until the page is full, skipping what the policy hides from this caller.
        while (visible.Count < wanted)
        {
            var batch = await metadata.ListRepositoriesAsync(last, wanted, cancellationToken);
            foreach (var name in batch)
            {
                if (await policy.CanListAsync(context, name)) visible.Add(name);
                if (visible.Count == wanted) break;
            }
            if (batch.Count < wanted) break;
            last = batch[^1];
        }
        var names = page.Page(context, visible, DefaultPageSize, "/v2/_catalog");
        return Results.Json(new RepositoryList(names));
    }

    private sealed record RepositoryList([property: JsonPropertyName("repositories")] IReadOnlyList<string> Repositories);
}
