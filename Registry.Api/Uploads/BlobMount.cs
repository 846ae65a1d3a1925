using Registry.Api.Access;
using Registry.Api.Errors;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Uploads;

/// <summary>
/// Cross-repository mounts. With <c>from</c>, the blob is linked when the source repository has it (and
/// the caller may pull from it). Without <c>from</c> (automatic mount), when any repository has it: the
/// bytes are global anyway, and the client proved it knows the digest.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
/// </summary>
internal static class BlobMount
{
    /// <summary>201 when mounted, an error result, or null to fall back to a new upload session.</summary>
    public static async Task<IResult?> TryMountAsync(
        HttpContext context, string repository, Digest digest, string? from, IMetadataStore metadata, IRegistryAccessPolicy policy, CancellationToken cancellationToken)
    {
        long? size;
        if (!string.IsNullOrEmpty(from))
        {
            if (!RepositoryName.IsValid(from)) return OciError.NameInvalid(from);
            if (await policy.AuthorizeAsync(context, from, RegistryAction.Pull) is not null) return null;
            size = await metadata.GetLinkedBlobSizeAsync(from, digest, cancellationToken);
        }
        else
        {
            size = await metadata.FindBlobAsync(digest, cancellationToken);
        }
        if (size is null) return null;
        // Links only a blob row that still exists: a sweep may have removed it since the lookup above.
        if (await metadata.TryLinkExistingBlobAsync(repository, digest, cancellationToken) is null) return null;
        context.Response.Headers["Docker-Content-Digest"] = digest.ToString();
        return Results.Created($"/v2/{repository}/blobs/{digest}", null);
    }
}
