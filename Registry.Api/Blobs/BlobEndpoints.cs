using Registry.Api.Errors;
using Registry.Api.Proxy;
using Registry.Api.Routing;
using Registry.Storage.Blobs;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Blobs;

/// <summary>Blob reads and deletes: <c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>.</summary>
public static class BlobEndpoints
{
    private const string Template = "/{**path:oci(blob)}";

    public static RouteGroupBuilder MapBlobs(this RouteGroupBuilder group)
    {
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
        group.MapMethods(Template, ["GET", "HEAD"], GetBlob);
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs
        group.MapDelete(Template, DeleteBlob);
        return group;
    }

    private static async Task<IResult> GetBlob(
        OciRoute route, HttpContext context, IMetadataStore metadata, IBlobStore store, BlobLinkCache cache, PullThroughCache proxy,
        CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(route.Reference, out var digest)) return OciError.DigestInvalid("invalid digest", route.Reference);
        var key = digest.ToString();
        if (!cache.TryGet(route.Name, key, out var size))
        {
            if (await metadata.GetLinkedBlobSizeAsync(route.Name, digest, cancellationToken) is not { } linked)
                return proxy.Serves(route.Name) ? await proxy.GetBlobAsync(route.Name, digest, context, cancellationToken) : OciError.BlobUnknown(key);
            cache.Set(route.Name, key, size = linked);
        }
        var headers = context.Response.Headers;
        headers["Docker-Content-Digest"] = key;
        headers.ETag = $"\"{key}\"";
        headers.CacheControl = "max-age=31536000";
        // HEAD is answered from the metadata alone: no store round trip, no file opened.
        if (HttpMethods.IsHead(context.Request.Method)) return await BlobRangeResult.SendAsync(context, store, digest, size, null, cancellationToken);
        var location = await store.GetReadLocationAsync(digest, cancellationToken);
        if (location?.RedirectUri is { } redirect) return Results.Redirect(redirect.ToString(), permanent: false, preserveMethod: true);
        try
        {
            return await BlobRangeResult.SendAsync(context, store, digest, size, location?.LocalPath, cancellationToken);
        }
        catch (BlobNotFoundException) when (proxy.Serves(route.Name) && !context.Response.HasStarted)
        {
            // The pull-through fill links a blob just before it publishes the bytes (so GC keeps them): a client
            // asking in between joins the download instead of getting a 404 for a blob that is seconds away.
            return await proxy.GetBlobAsync(route.Name, digest, context, cancellationToken);
        }
    }

    private static async Task<IResult> DeleteBlob(OciRoute route, IMetadataStore metadata, BlobLinkCache cache, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(route.Reference, out var digest)) return OciError.DigestInvalid("invalid digest", route.Reference);
        // Only the repository's link goes; the shared bytes stay for other repositories until garbage collection.
        var removed = await metadata.UnlinkBlobAsync(route.Name, digest, cancellationToken);
        cache.Invalidate(route.Name, digest.ToString());
        return removed ? Results.Accepted() : OciError.BlobUnknown(digest.ToString());
    }
}
