using Registry.Api.Errors;
using Registry.Api.Routing;
using Registry.Storage.Blobs;
using Registry.Storage.Metadata;
using Registry.Storage.Oci;

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

    private static async Task<IResult> GetBlob(OciRoute route, HttpContext context, IMetadataStore metadata, IBlobStore store, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(route.Reference, out var digest)) return OciError.DigestInvalid("invalid digest", route.Reference);
        var size = await metadata.GetLinkedBlobSizeAsync(route.Name, digest, cancellationToken);
        if (size is null) return OciError.BlobUnknown(digest.ToString());
        var headers = context.Response.Headers;
        headers["Docker-Content-Digest"] = digest.ToString();
        headers.ETag = $"\"{digest}\"";
        headers.CacheControl = "max-age=31536000";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // HEAD is answered from the metadata alone: no store round trip, no file opened.
            context.Response.ContentLength = size;
            context.Response.ContentType = "application/octet-stream";
            headers.AcceptRanges = "bytes";
            return Results.Empty;
        }
        var location = await store.GetReadLocationAsync(digest, cancellationToken);
        if (location?.RedirectUri is { } redirect) return Results.Redirect(redirect.ToString(), permanent: false, preserveMethod: true);
        // A local file goes out through the kernel's sendfile path, with Range handled by ASP.NET (206/416).
        if (location?.LocalPath is { } path) return Results.File(path, "application/octet-stream", enableRangeProcessing: true);
        return await BlobRangeResult.StreamAsync(context, store, digest, size.Value, cancellationToken);
    }

    private static async Task<IResult> DeleteBlob(OciRoute route, IMetadataStore metadata, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(route.Reference, out var digest)) return OciError.DigestInvalid("invalid digest", route.Reference);
        // Only the repository's link goes; the shared bytes stay for other repositories until garbage collection.
        return await metadata.UnlinkBlobAsync(route.Name, digest, cancellationToken)
            ? Results.Accepted()
            : OciError.BlobUnknown(digest.ToString());
    }
}
