using Registry.Api.Access;
using Registry.Api.Errors;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Uploads;

/// <summary>
/// Cross-repository mounts. With <c>from</c>, the blob is linked when the source repository has it and the
/// caller may pull from it. Without <c>from</c> (automatic mount), when a repository the caller may pull has
/// it: knowing a digest is no permission to read its bytes. Otherwise the caller gets an ordinary upload
/// session, the same answer as for a blob the registry does not have, so the answer reveals nothing about
/// blobs the caller cannot see (and an upload of the right bytes still ends in one stored copy).
/// With auth off every repository is readable by everyone, so any stored blob mounts.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
/// </summary>
internal static class BlobMount
{
    // Bounds the permission checks of one automatic mount; a blob shared by more repositories than this is
    // almost always in a public base image that sorts early, and a miss only costs the caller an upload.
    private const int MaxCandidateSources = 20;

    /// <summary>201 when mounted, an error result, or null to fall back to a new upload session.</summary>
    public static async Task<IResult?> TryMountAsync(
        HttpContext context, string repository, Digest digest, string? from, IMetadataStore metadata, IRegistryAccessPolicy policy, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(from))
        {
            if (!RepositoryName.IsValid(from)) return OciError.NameInvalid(from);
            if (!await policy.MayPullAsync(context, from)) return null;
            if (await metadata.GetLinkedBlobSizeAsync(from, digest, cancellationToken) is null) return null;
        }
        else if (!await AnyReadableSourceAsync(context, digest, metadata, policy, cancellationToken))
        {
            return null;
        }
        // Links only a blob row that still exists: a sweep may have removed it since the lookup above.
        if (await metadata.TryLinkExistingBlobAsync(repository, digest, cancellationToken) is null) return null;
        context.Response.Headers["Docker-Content-Digest"] = digest.ToString();
        return Results.Created($"/v2/{repository}/blobs/{digest}", null);
    }

    private static async Task<bool> AnyReadableSourceAsync(
        HttpContext context, Digest digest, IMetadataStore metadata, IRegistryAccessPolicy policy, CancellationToken cancellationToken)
    {
        foreach (var source in await metadata.FindRepositoriesHoldingBlobAsync(digest, MaxCandidateSources, cancellationToken))
        {
            if (await policy.MayPullAsync(context, source)) return true;
        }
        return false;
    }
}
