using Registry.Api.Errors;
using Registry.Api.Policies;
using Registry.Api.Routing;
using Registry.Storage.Manifests;
using Registry.Storage.Metadata;
using Registry.Oci;

namespace Registry.Api.Manifests;

/// <summary>
/// PUT of a manifest: size cap (413), parse and validate, every referenced blob or child manifest present
/// in the repository (MANIFEST_BLOB_UNKNOWN), digest of the exact bytes, then one transaction stores the
/// manifest, its references and the tag.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
/// </summary>
internal static class ManifestPush
{
    public static async Task<IResult> PutManifest(
        OciRoute route, HttpContext context, IMetadataStore metadata, ManifestTagCache cache, RepositoryPolicies policies, CancellationToken cancellationToken)
    {
        if (!ManifestReference.TryParse(route.Reference, out var reference))
            return route.Reference.Contains(':')
                ? OciError.DigestInvalid($"'{route.Reference}' is not a valid digest")
                : OciError.TagInvalid(route.Reference);
        var content = await ReadBodyAsync(context.Request, cancellationToken);
        if (content is null)
            return OciError.ManifestInvalid($"manifest is larger than {ManifestParser.MaxManifestBytes} bytes", StatusCodes.Status413PayloadTooLarge);

        ParsedManifest manifest;
        try
        {
            manifest = ManifestParser.Parse(content, context.Request.ContentType);
        }
        catch (ManifestInvalidException e)
        {
            return OciError.ManifestInvalid(e.Message);
        }
        var algorithm = reference.Digest?.Algorithm ?? "sha256";
        var digest = algorithm == "sha512"
            ? Digest.FromHash("sha512", System.Security.Cryptography.SHA512.HashData(content))
            : Digest.Sha256Of(content);
        if (reference.Digest is { } claimed && claimed != digest)
            return OciError.DigestInvalid("the manifest's bytes do not match the digest in the URL", new { expected = claimed.ToString(), actual = digest.ToString() });

        var verdict = await policies.CheckManifestPushAsync(route.Name, reference.Tag, digest, manifest, cancellationToken);
        if (verdict.Refusal is not null) return verdict.Refusal;
        var missing = await metadata.FindMissingReferencesAsync(route.Name, manifest, cancellationToken);
        if (missing.Count > 0) return OciError.ManifestBlobUnknown(missing);

        try
        {
            await metadata.PutManifestAsync(route.Name, digest, manifest, content, reference.Tag, verdict.Charge, cancellationToken);
        }
        catch (MissingReferencesException e)
        {
            return OciError.ManifestBlobUnknown(e.Digests); // garbage collection won the race for them
        }
        if (reference.Tag is { } tag) cache.Invalidate(route.Name, tag);

        var headers = context.Response.Headers;
        headers["Docker-Content-Digest"] = digest.ToString();
        if (manifest.Subject is { } subject) headers["OCI-Subject"] = subject.Digest;
        return Results.Created($"/v2/{route.Name}/manifests/{digest}", null);
    }

    /// <summary>The whole body, or null when it exceeds the manifest size cap.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > ManifestParser.MaxManifestBytes) return null;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 16 * 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > ManifestParser.MaxManifestBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
