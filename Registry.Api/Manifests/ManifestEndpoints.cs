using Registry.Api.Errors;
using Registry.Api.Policies;
using Registry.Api.Proxy;
using Registry.Api.Routing;
using Registry.Storage.Events;
using Registry.Storage.Manifests;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Manifests;

/// <summary>Manifests by tag or digest: <c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
public static class ManifestEndpoints
{
    private const string Template = "/{**path:oci(manifest)}";

    public static RouteGroupBuilder MapManifests(this RouteGroupBuilder group)
    {
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
        group.MapMethods(Template, ["GET", "HEAD"], GetManifest);
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
        group.MapPut(Template, ManifestPush.PutManifest);
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-tags
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests
        group.MapDelete(Template, DeleteManifest);
        return group;
    }

    private static async Task<IResult> GetManifest(
        OciRoute route, HttpContext context, IMetadataStore metadata, ManifestTagCache cache, PullLog pulls, EventOrigin origin,
        PullThroughCache proxy, CancellationToken cancellationToken)
    {
        // Nothing can be stored under a name that is neither a tag nor a digest, so it is simply not there.
        if (!ManifestReference.TryParse(route.Reference, out var reference)) return OciError.ManifestUnknown(route.Reference);
        if (proxy.Serves(route.Name)) return await proxy.GetManifestAsync(route.Name, reference.Tag, reference.Digest, context, cancellationToken);
        StoredManifest? manifest;
        if (reference.Tag is { } tag)
        {
            if (!cache.TryGet(route.Name, tag, out var cached))
            {
                cached = await metadata.GetTaggedManifestAsync(route.Name, tag, cancellationToken);
                if (cached is not null) cache.Set(route.Name, tag, cached);
            }
            manifest = cached;
        }
        else
        {
            manifest = await metadata.GetManifestAsync(route.Name, reference.Digest!, cancellationToken);
        }
        if (manifest is null) return OciError.ManifestUnknown(route.Reference);
        var answer = Send(context, manifest, route.Reference);
        // A GET is a pull (HEAD only checks); counted in memory, written in hourly buckets.
        if (HttpMethods.IsGet(context.Request.Method) && context.Response.Headers.ContainsKey("Docker-Content-Digest"))
            pulls.Record(route.Name, manifest.Digest, origin);
        return answer;
    }

    /// <summary>A manifest as a GET or HEAD answer, after content negotiation.</summary>
    internal static IResult Send(HttpContext context, StoredManifest manifest, string reference)
    {
        if (!ContentNegotiation.Accepts(context.Request, manifest.MediaType))
            return OciError.Create(404, "MANIFEST_UNKNOWN", $"manifest is {manifest.MediaType}, which the Accept header does not allow", reference);
        var headers = context.Response.Headers;
        headers["Docker-Content-Digest"] = manifest.Digest;
        headers.ETag = $"\"{manifest.Digest}\"";
        return Results.Bytes(manifest.Content, manifest.MediaType);
    }

    internal static async Task<IResult> DeleteManifest(
        OciRoute route, IMetadataStore metadata, ManifestTagCache cache, RepositoryPolicies policies, CancellationToken cancellationToken)
    {
        // Nothing can be stored under a name that is neither a tag nor a digest, so it is simply not there.
        if (!ManifestReference.TryParse(route.Reference, out var reference)) return OciError.ManifestUnknown(route.Reference);
        if (await policies.CheckDeleteAsync(route.Name, reference.Tag, reference.Digest, cancellationToken) is { } refusal) return refusal;
        if (reference.Tag is { } tag)
        {
            // A tag delete removes only the tag; the manifest stays reachable by digest.
            var removed = await metadata.DeleteTagAsync(route.Name, tag, cancellationToken);
            cache.Invalidate(route.Name, tag);
            return removed ? Results.Accepted() : OciError.ManifestUnknown(tag);
        }
        var deleted = await metadata.DeleteManifestAsync(route.Name, reference.Digest!, cancellationToken);
        cache.InvalidateRepository(route.Name);
        if (deleted) await policies.ManifestDeletedAsync(route.Name, cancellationToken);
        return deleted ? Results.Accepted() : OciError.ManifestUnknown(route.Reference);
    }
}
