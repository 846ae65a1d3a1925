using Registry.Oci;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Registry.Bench;

/// <summary>
/// The few distribution-spec calls the workloads make, each checking the status the spec requires so a
/// misbehaving server fails the run instead of producing a fast wrong figure.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
/// </summary>
public sealed class RegistryClient(Uri baseUrl) : IDisposable
{
    readonly HttpClient http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 512,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };

    public Uri BaseUrl => baseUrl;

    /// <summary>Sends a request and drains the body into a reusable buffer; returns the bytes read.</summary>
    public async Task<long> FetchAsync(HttpMethod method, string path, string? accept = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await Expect(response, HttpStatusCode.OK);
        if (method == HttpMethod.Head) return 0;
        return await Drain(response, ct);
    }

    /// <summary>GETs a JSON listing page, returning the body and the Link header (next page) if any.</summary>
    public async Task<(string Body, string? Link)> GetPageAsync(string path, CancellationToken ct = default)
    {
        using var response = await http.GetAsync(path, ct);
        await Expect(response, HttpStatusCode.OK);
        var link = response.Headers.TryGetValues("Link", out var values) ? values.First() : null;
        return (await response.Content.ReadAsStringAsync(ct), link);
    }

    public async Task<bool> BlobExistsAsync(string repo, string digest, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v2/{repo}/blobs/{digest}");
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await Expect(response, HttpStatusCode.OK);
        return true;
    }

    /// <summary>Opens an upload session (POST) and returns its Location.</summary>
    public async Task<Uri> StartUploadAsync(string repo, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"v2/{repo}/blobs/uploads/", null, ct);
        await Expect(response, HttpStatusCode.Accepted);
        return Location(response);
    }

    /// <summary>Monolithic push as POST then PUT with the whole body (distribution 2.8 has no single-POST push).</summary>
    public async Task PushMonolithicAsync(string repo, ReadOnlyMemory<byte> data, string digest, CancellationToken ct = default)
    {
        var location = await StartUploadAsync(repo, ct);
        using var content = new ReadOnlyMemoryContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PutAsync(WithDigest(location, digest), content, ct);
        await Expect(response, HttpStatusCode.Created);
    }

    /// <summary>Chunked push: POST, one PATCH per chunk with Content-Range, then a closing PUT with the digest.</summary>
    public async Task PushChunkedAsync(string repo, ReadOnlyMemory<byte> data, int chunkSize, string digest, CancellationToken ct = default)
    {
        var location = await StartUploadAsync(repo, ct);
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            using var content = new ReadOnlyMemoryContent(chunk);
            location = await PatchAsync(location, content, offset, chunk.Length, ct);
        }
        await CloseUploadAsync(location, digest, ct);
    }

    /// <summary>Streams a generated body in one PATCH (as docker push does) and closes with the digest it hashed.</summary>
    public async Task PushStreamedAsync(string repo, GeneratedContent content, CancellationToken ct = default)
    {
        var location = await StartUploadAsync(repo, ct);
        location = await PatchAsync(location, content, 0, content.Length, ct);
        await CloseUploadAsync(location, content.Digest, ct);
    }

    /// <summary>Cross-repository mount; 201 means the blob is now linked into <paramref name="repo"/>.</summary>
    public async Task MountAsync(string repo, string from, string digest, CancellationToken ct = default)
    {
        using var response = await http.PostAsync($"v2/{repo}/blobs/uploads/?mount={digest}&from={from}", null, ct);
        await Expect(response, HttpStatusCode.Created);
    }

    public async Task PutManifestAsync(string repo, string reference, byte[] manifest, CancellationToken ct = default)
    {
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        using var response = await http.PutAsync($"v2/{repo}/manifests/{reference}", content, ct);
        await Expect(response, HttpStatusCode.Created);
    }

    async Task<Uri> PatchAsync(Uri location, HttpContent content, long offset, long length, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        using var response = await http.SendAsync(request, ct);
        await Expect(response, HttpStatusCode.Accepted);
        return Location(response);
    }

    async Task CloseUploadAsync(Uri location, string digest, CancellationToken ct)
    {
        using var response = await http.PutAsync(WithDigest(location, digest), null, ct);
        await Expect(response, HttpStatusCode.Created);
    }

    Uri Location(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(baseUrl, location))
            : throw new BenchException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} returned no Location");

    static Uri WithDigest(Uri location, string digest) =>
        new(location + (string.IsNullOrEmpty(location.Query) ? "?" : "&") + "digest=" + digest);

    static async Task<long> Drain(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = DrainBuffer ??= new byte[256 * 1024];
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0) total += read;
        return total;
    }

    // One scratch buffer per thread: the bytes are thrown away, only their count matters.
    [ThreadStatic] static byte[]? DrainBuffer;

    static async Task Expect(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode == expected) return;
        var body = response.RequestMessage?.Method == HttpMethod.Head ? "" : await response.Content.ReadAsStringAsync();
        throw new BenchException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} " +
            $"returned {(int)response.StatusCode}, expected {(int)expected}: {Truncate(body)}");
    }

    static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => http.Dispose();
}

/// <summary>A failure of the server under test (wrong status, wrong size): counted as an error, fails the run.</summary>
public sealed class BenchException(string message) : Exception(message);
