using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Registry.Oci;

namespace Registry.Tests.Infrastructure;

/// <summary>Small helpers to push and read content over the real /v2 API in tests.</summary>
public static class OciTestClient
{
    /// <summary>Pushes a blob in one POST (?digest=); asserts 201 and returns its digest.</summary>
    public static async Task<string> PushBlobAsync(this HttpClient client, string repository, byte[] content)
    {
        var digest = DigestOf(content);
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"blob push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return digest;
    }

    /// <summary>PUTs a manifest's exact bytes with a Content-Type; the response is the caller's to check.</summary>
    public static async Task<HttpResponseMessage> PutManifestAsync(this HttpClient client, string repository, string reference, byte[] manifest, string mediaType)
    {
        using var body = new ByteArrayContent(manifest);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PutAsync($"/v2/{repository}/manifests/{reference}", body);
    }

    /// <summary>Pushes a config and one layer per entry of <paramref name="layers"/>, then an OCI manifest; returns its bytes and digest.</summary>
    public static async Task<(byte[] Manifest, string Digest)> PushImageAsync(this HttpClient client, string repository, string tag, params byte[][] layers)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"tag":"{{tag}}"}""");
        var configDigest = await client.PushBlobAsync(repository, config);
        var layerDescriptors = new List<object>();
        foreach (var layer in layers)
            layerDescriptors.Add(new { mediaType = MediaTypes.OciLayerGzip, digest = await client.PushBlobAsync(repository, layer), size = layer.Length });
        var manifest = ImageManifest(new { mediaType = MediaTypes.OciConfig, digest = configDigest, size = config.Length }, layerDescriptors);
        using var response = await client.PutManifestAsync(repository, tag, manifest, MediaTypes.OciManifest);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"manifest push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (manifest, DigestOf(manifest));
    }

    /// <summary>Pushes a signature-like referrer of <paramref name="subject"/> by digest.</summary>
    public static async Task<string> PushReferrerAsync(this HttpClient client, string repository, string subject)
    {
        var subjectBytes = await client.GetByteArrayAsync($"/v2/{repository}/manifests/{subject}");
        var config = "{}"u8.ToArray();
        var payload = RandomBytes(32);
        var manifest = ImageManifest(
            new { mediaType = "application/vnd.oci.empty.v1+json", digest = await client.PushBlobAsync(repository, config), size = config.Length },
            [new { mediaType = "application/vnd.example.signature", digest = await client.PushBlobAsync(repository, payload), size = payload.Length }],
            subject: new { mediaType = MediaTypes.OciManifest, digest = subject, size = subjectBytes.Length }, artifactType: "application/vnd.example.signature");
        var digest = DigestOf(manifest);
        using var response = await client.PutManifestAsync(repository, digest, manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    /// <summary>The bytes of an OCI image manifest with the given descriptors (and optional extras like subject).</summary>
    public static byte[] ImageManifest(object config, IEnumerable<object> layers, object? subject = null, string? artifactType = null, IDictionary<string, string>? annotations = null)
    {
        var manifest = new Dictionary<string, object?>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = config,
            ["layers"] = layers,
        };
        if (artifactType is not null) manifest["artifactType"] = artifactType;
        if (subject is not null) manifest["subject"] = subject;
        if (annotations is not null) manifest["annotations"] = annotations;
        return JsonSerializer.SerializeToUtf8Bytes(manifest);
    }

    public static string DigestOf(byte[] content) => Digest.Sha256Of(content).ToString();

    /// <summary>Random bytes: content no other test pushes.</summary>
    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A repository name no other test uses.</summary>
    public static string UniqueRepository(string prefix = "test") => $"{prefix}/{Guid.NewGuid():N}";

    /// <summary>The spec error code of an error response.</summary>
    public static async Task<string?> ErrorCodeAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return null;
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
    }
}
