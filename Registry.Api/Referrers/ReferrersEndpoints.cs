using Registry.Api.Errors;
using Registry.Api.Routing;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Referrers;

/// <summary>
/// <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>: an OCI index of the manifests whose subject is the
/// digest, optionally filtered by <c>artifactType</c>; an empty index when there are none.
/// </summary>
public static class ReferrersEndpoints
{
    public static RouteGroupBuilder MapReferrers(this RouteGroupBuilder group)
    {
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
        group.MapGet("/{**path:oci(referrers)}", ListReferrers);
        return group;
    }

    private static async Task<IResult> ListReferrers(OciRoute route, HttpContext context, IMetadataStore metadata, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(route.Reference, out var subject)) return OciError.DigestInvalid("invalid subject digest", route.Reference);
        var artifactType = context.Request.Query["artifactType"].ToString();
        var filter = artifactType.Length > 0 ? artifactType : null;
        var referrers = await metadata.ListReferrersAsync(route.Name, subject, filter, cancellationToken);
        if (filter is not null) context.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        return Results.Json(new ImageIndex(2, MediaTypes.OciIndex, referrers), OciJsonContext.Default.ImageIndex, MediaTypes.OciIndex);
    }
}
