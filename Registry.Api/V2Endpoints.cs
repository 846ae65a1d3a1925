using Registry.Api.Access;
using Registry.Api.Blobs;
using Registry.Api.Catalog;
using Registry.Api.Errors;
using Registry.Api.Manifests;
using Registry.Api.Referrers;
using Registry.Api.Routing;
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
        // Routing cannot answer 405 itself here: every feature shares the catch-all template, so the
        // method filter always finds a candidate. This unconstrained route loses to every constrained one.
        repositories.Map("/{**path}", (OciRoute? route, HttpContext context) => route is null
            ? OciError.Create(404, "NAME_UNKNOWN", "no such registry route", context.Request.Path.Value)
            : OciError.Unsupported($"{context.Request.Method} is not supported on {route.Kind} routes"));
        return repositories;
    }
}
