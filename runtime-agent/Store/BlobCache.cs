using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Registry.Oci;
using RuntimeAgent.Registry;

namespace RuntimeAgent.Store;

/// <summary>
/// The host-wide, content-addressed blob cache. A blob is downloaded once per host: a per-digest flock makes
/// concurrent pulls (in any process) wait for the first one, bytes are hashed while they stream to a partial
/// file, a partial file left by an interrupted pull is resumed with a Range request, and only a verified
/// blob is renamed into place.
/// </summary>
public sealed class BlobCache(StoreLayout layout)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Returns the path of the verified blob, downloading it from the registry if the cache lacks it.</summary>
    public async Task<string> EnsureAsync(RegistryClient client, string repository, Descriptor descriptor, string label,
                                          IPullProgress progress, CancellationToken ct)
    {
        var digest = Digest.TryParse(descriptor.Digest, out var parsed) ? parsed
            : throw new RegistryException($"manifest lists an invalid digest '{descriptor.Digest}'");
        var path = layout.BlobPath(digest);
        if (File.Exists(path))
        {
            progress.Begin(label, descriptor.Size).Complete("cached");
            return path;
        }

        using var blobLock = await FileLock.AcquireAsync(layout.BlobLock(digest), exclusive: true, ct,
            () => progress.Message($"{label}: waiting for another pull of {digest.Hex[..12]}"));
        if (File.Exists(path))
        {
            progress.Begin(label, descriptor.Size).Complete("cached");
            return path;
        }

        var transfer = progress.Begin(label, descriptor.Size);
        var partial = layout.PartialBlobPath(digest);
        var actual = await DownloadAsync(client, repository, descriptor, digest, partial, transfer, resume: true, ct);
        if (actual != digest && new FileInfo(partial).Length != 0)
        {
            // A resumed download may have continued a corrupt prefix: try once more from the first byte.
            progress.Message($"{label}: resumed download did not verify, downloading again");
            actual = await DownloadAsync(client, repository, descriptor, digest, partial, transfer, resume: false, ct);
        }
        if (actual != digest)
        {
            File.Delete(partial);
            throw new RegistryException($"blob {digest} failed verification: the registry sent content that hashes to {actual}");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Move(partial, path, overwrite: true);
        transfer.Complete("downloaded");
        return path;
    }

    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
    private static async Task<Digest> DownloadAsync(RegistryClient client, string repository, Descriptor descriptor, Digest digest,
                                                    string partial, ITransferProgress transfer, bool resume, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(digest.HashAlgorithm);
        await using var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 0, FileOptions.Asynchronous);
        var offset = resume && file.Length <= descriptor.Size ? file.Length : 0;
        file.SetLength(offset);
        var buffer = new byte[BufferSize];
        if (offset > 0) await HashExistingAsync(file, hash, buffer, ct);

        using var response = await client.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{digest}");
            if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
            return request;
        }, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new RegistryException($"blob {digest} is unknown to the registry", response.StatusCode);
        if (!response.IsSuccessStatusCode) throw await RegistryException.FromResponseAsync($"fetching blob {digest}", response, ct);
        if (offset > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != offset))
        {
            // The registry ignored the range and sent the whole blob: start the hash and the file over.
            offset = 0;
            file.SetLength(0);
            hash.GetHashAndReset();
        }
        file.Position = offset;
        transfer.Advance(offset);

        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var total = offset;
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > descriptor.Size)
                throw new RegistryException($"blob {digest} is larger than the {descriptor.Size} bytes its descriptor says");
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
            transfer.Advance(read);
        }
        if (total != descriptor.Size)
            throw new RegistryException($"blob {digest}: received {total} of {descriptor.Size} bytes (run pull again to resume)");
        file.Flush(flushToDisk: true);
        return Digest.FromHash(digest.Algorithm, hash.GetHashAndReset());
    }

    private static async Task HashExistingAsync(FileStream file, IncrementalHash hash, byte[] buffer, CancellationToken ct)
    {
        file.Position = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, ct)) > 0) hash.AppendData(buffer, 0, read);
    }
}
