using System.Net;
using System.Net.Http.Headers;
using Registry.Oci;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Push;

/// <summary>
/// The upload half of the distribution API, shared by image pushes and build-cache exports: a blob is first asked
/// for with HEAD; a missing one is mounted from another repository when one is known to hold it (cross-repo mount),
/// and only when that fails uploaded (POST then one monolithic PUT). Manifests go last, so the registry never sees
/// a dangling one. Each blob is one transfer of <c>progress</c>: bytes while it uploads, its outcome at the end.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
/// </summary>
internal sealed class BlobUploader(RegistryClient client, StoreLayout layout, IPullProgress progress)
{
    public async Task PushBlobAsync(ImageReference target, Digest digest, string? mountFrom, CancellationToken ct)
    {
        var repository = target.Repository;
        var path = layout.BlobPath(digest);
        var size = new FileInfo(path).Length;
        using (var head = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), HttpCompletionOption.ResponseHeadersRead, ct))
            if (head.StatusCode == HttpStatusCode.OK) { progress.Begin(Short(digest), size).Complete($"already in {repository}"); return; }

        var start = $"v2/{repository}/blobs/uploads/";
        if (mountFrom is not null) start += $"?mount={digest}&from={Uri.EscapeDataString(mountFrom)}";
        string location;
        using (var posted = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, start), HttpCompletionOption.ResponseContentRead, ct))
        {
            if (posted.StatusCode == HttpStatusCode.Created) { progress.Begin(Short(digest), size).Complete($"mounted from {mountFrom}"); return; }
            if (posted.StatusCode != HttpStatusCode.Accepted || posted.Headers.Location is null)
                throw await RegistryException.FromResponseAsync($"{target}: could not start the upload of {digest}", posted, ct);
            location = posted.Headers.Location.ToString();
        }

        var transfer = progress.Begin(Short(digest), size);
        var uploadUrl = location + (location.Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest.ToString());
        using var put = await client.SendAsync(() =>
        {
            transfer.Advance(0); // a start from the first byte (a retry starts over, so its bars may pass 100% for a moment)
            var content = new StreamContent(new CountingReadStream(File.OpenRead(path), transfer.Advance));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = size;
            return new HttpRequestMessage(HttpMethod.Put, new Uri(uploadUrl, UriKind.RelativeOrAbsolute)) { Content = content };
        }, HttpCompletionOption.ResponseContentRead, ct);
        if (put.StatusCode != HttpStatusCode.Created)
            throw await RegistryException.FromResponseAsync($"{target}: upload of {digest} refused", put, ct);
        transfer.Complete("uploaded");
    }

    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
    public async Task PutManifestAsync(ImageReference target, string tagOrDigest, byte[] manifest, CancellationToken ct)
    {
        using var response = await client.SendAsync(() =>
        {
            var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
            return new HttpRequestMessage(HttpMethod.Put, $"v2/{target.Repository}/manifests/{tagOrDigest}") { Content = content };
        }, HttpCompletionOption.ResponseContentRead, ct);
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync($"{target}: manifest upload refused", response, ct);
    }

    private static string Short(Digest digest) => digest.Hex[..12]; // as pull labels its blobs
}
