using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Registry.Oci;
using Registry.Storage.Blobs;
using Registry.Storage.Manifests;
using Registry.Storage.Metadata;

namespace Registry.Api.Replication;

/// <summary>
/// Copies one manifest from our store to a target registry, the way a client pushes: blobs first (skipped when a
/// HEAD says the target has them), an index's children before the index, then the manifest's exact bytes (so the
/// digest is the same there), then its referrers (signatures, SBOMs) by digest.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push
/// </summary>
public sealed class ImageCopier(IMetadataStore metadata, IBlobStore blobs, RegistryDbContext db)
{
    /// <summary>False when the manifest is no longer in the source repository (deleted since the push): nothing to copy.</summary>
    public async Task<bool> CopyAsync(TargetRegistryClient target, string source, string destination, string digest, string? tag, CancellationToken cancellationToken)
    {
        var copied = new HashSet<string>();
        return await CopyManifestAsync(target, source, destination, digest, tag, copied, cancellationToken);
    }

    private async Task<bool> CopyManifestAsync(TargetRegistryClient target, string source, string destination, string digest, string? tag,
        HashSet<string> copied, CancellationToken cancellationToken)
    {
        if (!copied.Add(digest + ":" + tag)) return true;
        var manifest = await metadata.GetManifestAsync(source, Digest.Parse(digest), cancellationToken);
        if (manifest is null) return false;
        var parsed = ManifestParser.Parse(manifest.Content, manifest.MediaType);
        foreach (var child in parsed.Manifests.Select(m => m.Digest).Distinct())
            if (!await CopyManifestAsync(target, source, destination, child, null, copied, cancellationToken))
                throw new ReplicationException($"{source}@{child}, a child of {digest}, is missing from the source");
        foreach (var blob in parsed.RequiredBlobDigests) await CopyBlobAsync(target, destination, blob, cancellationToken);

        using var put = await target.SendAsync(destination, () => Task.FromResult(ManifestPut(destination, tag ?? digest, manifest)), cancellationToken);
        if (put.StatusCode != HttpStatusCode.Created) throw await Failure($"PUT manifest {destination}:{tag ?? digest}", put, cancellationToken);
        if (put.Headers.TryGetValues("Docker-Content-Digest", out var echoed) && echoed.First() != digest)
            throw new ReplicationException($"the target stored {destination}:{tag ?? digest} as {echoed.First()}, not {digest}");

        var referrers = await (from m in db.Manifests join r in db.Repositories on m.RepositoryId equals r.Id
                               where r.Name == source && m.SubjectDigest == digest select m.Digest).ToListAsync(cancellationToken);
        foreach (var referrer in referrers) await CopyManifestAsync(target, source, destination, referrer, null, copied, cancellationToken);
        return true;
    }

    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-monolithically
    private async Task CopyBlobAsync(TargetRegistryClient target, string destination, string digest, CancellationToken cancellationToken)
    {
        using (var head = await target.SendAsync(destination, () => Task.FromResult(new HttpRequestMessage(HttpMethod.Head, $"v2/{destination}/blobs/{digest}")), cancellationToken))
        {
            if (head.StatusCode == HttpStatusCode.OK) return;
        }
        var parsed = Digest.Parse(digest);
        var size = await blobs.GetSizeAsync(parsed, cancellationToken) ?? throw new ReplicationException($"blob {digest} is missing from our store");
        using var start = await target.SendAsync(destination, () => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, $"v2/{destination}/blobs/uploads/")), cancellationToken);
        if (start.StatusCode != HttpStatusCode.Accepted || start.Headers.Location is not { } location)
            throw await Failure($"POST upload of {digest} to {destination}", start, cancellationToken);
        var uploadUri = target.Resolve(location.ToString());
        var separator = string.IsNullOrEmpty(uploadUri.Query) ? "?" : "&";
        var putUri = new Uri(uploadUri + separator + "digest=" + Uri.EscapeDataString(digest));
        using var put = await target.SendAsync(destination, async () =>
        {
            var content = new StreamContent(await blobs.OpenReadAsync(parsed, 0, null, cancellationToken));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = size;
            return new HttpRequestMessage(HttpMethod.Put, putUri) { Content = content };
        }, cancellationToken);
        if (put.StatusCode != HttpStatusCode.Created) throw await Failure($"PUT blob {digest} to {destination}", put, cancellationToken);
    }

    private static HttpRequestMessage ManifestPut(string destination, string reference, StoredManifest manifest)
    {
        var content = new ByteArrayContent(manifest.Content);
        content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        return new HttpRequestMessage(HttpMethod.Put, $"v2/{destination}/manifests/{reference}") { Content = content };
    }

    private static async Task<ReplicationException> Failure(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new ReplicationException($"{what}: the target answered {(int)response.StatusCode} {(body.Length > 300 ? body[..300] : body)}".TrimEnd());
    }
}
