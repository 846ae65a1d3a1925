using Registry.Api.Access;
using Registry.Api.Errors;
using Registry.Api.Policies;
using Registry.Api.Routing;
using Registry.Storage.Metadata;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Api.Uploads;

/// <summary>Blob uploads: start (monolithic, mount or session), chunks, status, completion, cancel.</summary>
public static class UploadEndpoints
{
    public static RouteGroupBuilder MapUploads(this RouteGroupBuilder group)
    {
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
        group.MapPost("/{**path:oci(uploadstart)}", StartUpload);
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
        group.MapPatch("/{**path:oci(upload)}", UploadChunk);
        group.MapGet("/{**path:oci(upload)}", GetUploadStatus);
        group.MapPut("/{**path:oci(upload)}", CompleteUpload);
        group.MapDelete("/{**path:oci(upload)}", CancelUpload);
        return group;
    }

    private static async Task<IResult> StartUpload(
        OciRoute route, HttpContext context, UploadSessionService uploads, IMetadataStore metadata, IRegistryAccessPolicy policy,
        RepositoryPolicies policies, CancellationToken cancellationToken)
    {
        if (await policies.CheckUploadStartAsync(route.Name, cancellationToken) is { } refusal) return refusal;
        var query = context.Request.Query;
        if (query.ContainsKey("mount"))
        {
            // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
            if (!Digest.TryParse(query["mount"], out var mounted)) return OciError.DigestInvalid("invalid mount digest", query["mount"].ToString());
            var mount = await BlobMount.TryMountAsync(context, route.Name, mounted, query["from"], metadata, policy, cancellationToken);
            if (mount is not null) return mount;
        }
        else if (query.ContainsKey("digest"))
        {
            // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#single-post
            if (!Digest.TryParse(query["digest"], out var expected)) return OciError.DigestInvalid("invalid digest", query["digest"].ToString());
            var session = await uploads.StartAsync(route.Name, cancellationToken);
            var appended = await UploadChunkWriter.AppendAsync(context, uploads, session, completing: true, cancellationToken);
            return appended.Error ?? await UploadChunkWriter.CompleteAsync(context, uploads, appended.Session!, expected, cancellationToken);
        }
        var started = await uploads.StartAsync(route.Name, cancellationToken);
        return UploadChunkWriter.Accepted(context, started);
    }

    private static async Task<IResult> UploadChunk(OciRoute route, HttpContext context, UploadSessionService uploads, CancellationToken cancellationToken)
    {
        var session = await uploads.FindAsync(route.Name, route.Reference, cancellationToken);
        if (session is null) return OciError.BlobUploadUnknown(route.Reference);
        var appended = await UploadChunkWriter.AppendAsync(context, uploads, session, completing: false, cancellationToken);
        return appended.Error ?? UploadChunkWriter.Accepted(context, appended.Session!);
    }

    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks (upload status)
    private static async Task<IResult> GetUploadStatus(OciRoute route, HttpContext context, UploadSessionService uploads, CancellationToken cancellationToken)
    {
        var session = await uploads.FindAsync(route.Name, route.Reference, cancellationToken);
        if (session is null) return OciError.BlobUploadUnknown(route.Reference);
        UploadChunkWriter.SetSessionHeaders(context, session);
        return Results.NoContent();
    }

    private static async Task<IResult> CompleteUpload(OciRoute route, HttpContext context, UploadSessionService uploads, CancellationToken cancellationToken)
    {
        var digestText = context.Request.Query["digest"].ToString();
        if (!Digest.TryParse(digestText, out var expected)) return OciError.DigestInvalid("PUT needs ?digest= with a valid digest", digestText);
        var session = await uploads.FindAsync(route.Name, route.Reference, cancellationToken);
        if (session is null) return OciError.BlobUploadUnknown(route.Reference);
        var appended = await UploadChunkWriter.AppendAsync(context, uploads, session, completing: true, cancellationToken);
        return appended.Error ?? await UploadChunkWriter.CompleteAsync(context, uploads, appended.Session!, expected, cancellationToken);
    }

    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#canceling-an-upload
    private static async Task<IResult> CancelUpload(OciRoute route, UploadSessionService uploads, CancellationToken cancellationToken)
    {
        var session = await uploads.FindAsync(route.Name, route.Reference, cancellationToken);
        if (session is null) return OciError.BlobUploadUnknown(route.Reference);
        await uploads.CancelAsync(session, cancellationToken);
        return Results.NoContent();
    }
}
