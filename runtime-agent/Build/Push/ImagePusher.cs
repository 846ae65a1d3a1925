using System.Net;
using System.Net.Http.Headers;
using Registry.Oci;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Push;

/// <summary>
/// Pushes an image from the store (one the builder made: its manifest is a blob there) to its registry.
/// Each blob is first asked for with HEAD; a missing one is mounted from another repository of the same
/// registry that an image in the store came from (cross-repo mount), and only when that fails uploaded
/// (POST then one monolithic PUT). The manifest goes last, so the registry never sees a dangling one.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
/// </summary>
public sealed class ImagePusher(StoreLayout layout, TextWriter output)
{
    public async Task<string> PushAsync(string reference, bool insecure, CancellationToken ct)
    {
        var target = ImageReference.Parse(reference);
        var record = new ImageRecords(layout).Find(target)
            ?? throw new ImageNotFoundException($"{target}: no such image in the store (build or pull it first)");
        var manifestPath = layout.BlobPath(Digest.Parse(record.ManifestDigest));
        if (!File.Exists(manifestPath))
            throw new ImageNotFoundException($"{target}: its manifest is not in the store; only images built here can be pushed");

        using var client = new RegistryClient(target.Registry, new CredentialStore(layout.AuthFile).Find(target.Registry), insecure);
        var blobs = record.Layers.Select(l => (l.Digest, l.Size)).Append((record.ConfigDigest, new FileInfo(layout.BlobPath(Digest.Parse(record.ConfigDigest))).Length));
        var mountSources = MountSources(target);
        await Task.WhenAll(blobs.DistinctBy(b => b.Item1).Select(b => PushBlobAsync(client, target, Digest.Parse(b.Item1), mountSources, ct)));

        var manifest = await File.ReadAllBytesAsync(manifestPath, ct);
        var tagOrDigest = target.Tag ?? record.ManifestDigest;
        using var response = await client.SendAsync(() =>
        {
            var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
            return new HttpRequestMessage(HttpMethod.Put, $"v2/{target.Repository}/manifests/{tagOrDigest}") { Content = content };
        }, HttpCompletionOption.ResponseContentRead, ct);
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync($"{target}: manifest upload refused", response, ct);
        output.WriteLine($"{target}: pushed manifest {record.ManifestDigest}");
        return record.ManifestDigest;
    }

    private async Task PushBlobAsync(RegistryClient client, ImageReference target, Digest digest, IReadOnlyDictionary<string, string> mountSources, CancellationToken ct)
    {
        var repository = target.Repository;
        using (var head = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), HttpCompletionOption.ResponseHeadersRead, ct))
            if (head.StatusCode == HttpStatusCode.OK) { output.WriteLine($"{Short(digest)}: already in {repository}"); return; }

        var start = $"v2/{repository}/blobs/uploads/";
        if (mountSources.TryGetValue(digest.ToString(), out var from))
            start += $"?mount={digest}&from={Uri.EscapeDataString(from)}";
        string location;
        using (var posted = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, start), HttpCompletionOption.ResponseContentRead, ct))
        {
            if (posted.StatusCode == HttpStatusCode.Created) { output.WriteLine($"{Short(digest)}: mounted from {from}"); return; }
            if (posted.StatusCode != HttpStatusCode.Accepted || posted.Headers.Location is null)
                throw await RegistryException.FromResponseAsync($"{target}: could not start the upload of {digest}", posted, ct);
            location = posted.Headers.Location.ToString();
        }

        var path = layout.BlobPath(digest);
        var uploadUrl = location + (location.Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest.ToString());
        using var put = await client.SendAsync(() =>
        {
            var content = new StreamContent(File.OpenRead(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = new FileInfo(path).Length;
            return new HttpRequestMessage(HttpMethod.Put, new Uri(uploadUrl, UriKind.RelativeOrAbsolute)) { Content = content };
        }, HttpCompletionOption.ResponseContentRead, ct);
        if (put.StatusCode != HttpStatusCode.Created)
            throw await RegistryException.FromResponseAsync($"{target}: upload of {digest} refused", put, ct);
        output.WriteLine($"{Short(digest)}: uploaded ({new FileInfo(path).Length} bytes)");
    }

    /// <summary>For each blob, another repository of the same registry it came from (pulled or built images' records).</summary>
    private Dictionary<string, string> MountSources(ImageReference target)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in new ImageRecords(layout).List())
        {
            ImageReference source;
            try { source = ImageReference.Parse(record.Reference); }
            catch (FormatException) { continue; }
            if (source.Registry != target.Registry || source.Repository == target.Repository) continue;
            foreach (var digest in record.Layers.Select(l => l.Digest).Append(record.ConfigDigest))
                sources.TryAdd(digest, source.Repository);
        }
        return sources;
    }

    private static string Short(Digest digest) => digest.ToString()[..19];
}
