using System.Net;
using System.Net.Http.Headers;
using Registry.Oci;

namespace Registry.Tests.TestImages;

/// <summary>
/// A tiny OCI push client for tests: blobs by monolithic upload, then manifests. Give it an
/// <see cref="HttpClient"/> whose BaseAddress is the registry root (<c>http://127.0.0.1:PORT/</c>);
/// add a DelegatingHandler to it for auth. Every failure throws with the registry's status and body.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
/// </summary>
public sealed class RegistryPushClient(HttpClient http)
{
    /// <summary>How blobs are uploaded.</summary>
    public BlobUploadMode UploadMode { get; init; } = BlobUploadMode.PostThenPut;

    /// <summary>Pushes every blob and child manifest of <paramref name="manifest"/>, then tags it.</summary>
    public async Task PushAsync(string repository, TestManifest manifest, string tag, CancellationToken cancel = default)
    {
        await PushContentAsync(repository, manifest, cancel);
        await PutManifestAsync(repository, tag, manifest.Bytes, manifest.MediaType, cancel);
    }

    /// <summary>Pushes everything a manifest needs and the manifest itself by digest (no tag).</summary>
    public async Task PushContentAsync(string repository, TestManifest manifest, CancellationToken cancel = default)
    {
        foreach (var child in manifest.Children)
        {
            await PushContentAsync(repository, child, cancel);
        }
        foreach (var blob in manifest.Blobs) await PushBlobAsync(repository, blob.Bytes, cancel);
        await PutManifestAsync(repository, manifest.Digest.ToString(), manifest.Bytes, manifest.MediaType, cancel);
    }

    /// <summary>Uploads a blob unless the repository already has it; returns its digest.</summary>
    public async Task<Digest> PushBlobAsync(string repository, byte[] bytes, CancellationToken cancel = default)
    {
        var digest = Digest.Sha256Of(bytes);
        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), cancel))
        {
            if (head.StatusCode == HttpStatusCode.OK) return digest;
        }
        if (UploadMode == BlobUploadMode.SinglePost)
        {
            using var single = await http.PostAsync($"v2/{repository}/blobs/uploads/?digest={digest}", Octets(bytes), cancel);
            await EnsureAsync(single, HttpStatusCode.Created, $"single-POST upload of {digest} to {repository}");
            return digest;
        }
        using var start = await http.PostAsync($"v2/{repository}/blobs/uploads/", null, cancel);
        await EnsureAsync(start, HttpStatusCode.Accepted, $"starting an upload to {repository}");
        var location = start.Headers.Location ?? throw new HttpRequestException($"upload to {repository}: 202 without Location");
        using var put = await http.PutAsync(WithQuery(location, $"digest={digest}"), Octets(bytes), cancel);
        await EnsureAsync(put, HttpStatusCode.Created, $"PUT of {digest} to {repository}");
        return digest;
    }

    /// <summary>PUTs manifest bytes under a tag or digest exactly as given.</summary>
    public async Task PutManifestAsync(string repository, string reference, byte[] bytes, string mediaType,
        CancellationToken cancel = default)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await http.PutAsync($"v2/{repository}/manifests/{reference}", content, cancel);
        await EnsureAsync(response, HttpStatusCode.Created, $"manifest PUT {repository}:{reference}");
    }

    private static ByteArrayContent Octets(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    // The Location of an upload session may be relative or absolute and may carry its own query (state tokens).
    private Uri WithQuery(Uri location, string query)
    {
        var absolute = location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location);
        var builder = new UriBuilder(absolute);
        builder.Query = string.IsNullOrEmpty(builder.Query) ? query : builder.Query.TrimStart('?') + "&" + query;
        return builder.Uri;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode == expected) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new HttpRequestException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}",
            null, response.StatusCode);
    }
}

public enum BlobUploadMode
{
    /// <summary>POST to open a session, then PUT the whole blob with <c>?digest=</c> (every registry supports it).</summary>
    PostThenPut,
    /// <summary>One POST with <c>?digest=</c> and the body (OCI v1.1 single-request monolithic upload).</summary>
    SinglePost,
}
