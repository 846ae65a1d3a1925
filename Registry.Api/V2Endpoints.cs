using Registry.Api.Access;
using Registry.Api.Blobs;
using Registry.Api.Catalog;
using Registry.Api.Manifests;
using Registry.Api.Referrers;
using Registry.Api.Tags;
using Registry.Api.Uploads;

namespace Registry.Api;

/// <summary>The /v2 API: one route group carrying the access filter, each feature mapping its own routes.</summary>
public static class V2Endpoints
{
    public static RouteGroupBuilder MapRegistryV2(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2");
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
        v2.MapGet("/", async (HttpContext context, IRegistryAccessPolicy policy) =>
            await policy.AuthorizeAsync(context, null, RegistryAction.Pull) ?? Results.Json(new { }));
        v2.MapCatalog();

        var repositories = app.MapGroup("/v2");
        repositories.AddEndpointFilter<RepositoryAccessFilter>();
        repositories.MapBlobs().MapUploads().MapManifests().MapTags().MapReferrers();
        return repositories;
    }
}
