using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Registry.Oci;

namespace RuntimeAgent.Registry;

/// <summary>An image manifest for linux/amd64, and the digest the reference itself resolved to (an index's, when it was one).</summary>
public sealed record ResolvedManifest(Digest TopDigest, Digest ManifestDigest, string MediaType, ImageManifest Document);

/// <summary>Fetches a manifest by tag or digest and walks an index down to the linux/amd64 image.</summary>
public sealed class ManifestResolver(RegistryClient client)
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private static readonly string[] Accepted =
        [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest];

    public async Task<ResolvedManifest> ResolveAsync(ImageReference reference, CancellationToken ct)
    {
        var (topDigest, mediaType, bytes) = await FetchAsync(reference, reference.ManifestReference, reference.Digest, ct);
        if (!MediaTypes.IsIndex(mediaType))
            return new ResolvedManifest(topDigest, topDigest, mediaType, Read(reference, topDigest, bytes, OciJsonContext.Default.ImageManifest));

        var index = Read(reference, topDigest, bytes, OciJsonContext.Default.ImageIndex);
        var chosen = (index.Manifests ?? []).FirstOrDefault(m => m.Platform is { Os: "linux", Architecture: "amd64" })
            ?? throw new ImageNotFoundException($"{reference}: the index has no linux/amd64 image");
        if (!Digest.TryParse(chosen.Digest, out var digest))
            throw new RegistryException($"{reference}: the index lists an invalid digest '{chosen.Digest}'");
        var (_, childType, child) = await FetchAsync(reference, digest.ToString(), digest, ct);
        if (MediaTypes.IsIndex(childType))
            throw new RegistryException($"{reference}: nested indexes are not supported");
        return new ResolvedManifest(topDigest, digest, childType, Read(reference, digest, child, OciJsonContext.Default.ImageManifest));
    }

    // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
    private async Task<(Digest, string, byte[])> FetchAsync(ImageReference image, string reference, Digest? expected, CancellationToken ct)
    {
        using var response = await client.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{image.Repository}/manifests/{reference}");
            foreach (var type in Accepted) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            return request;
        }, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new ImageNotFoundException($"{image.Name}:{reference}: manifest unknown");
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync($"fetching manifest {image.Name}:{reference}", response, ct);
        if (response.Content.Headers.ContentLength > MaxManifestBytes)
            throw new RegistryException($"manifest {image.Name}:{reference} is larger than {MaxManifestBytes} bytes");

        var bytes = await ReadCappedAsync(await response.Content.ReadAsStreamAsync(ct), ct);
        var actual = expected?.Algorithm == "sha512" ? Digest.FromHash("sha512", SHA512.HashData(bytes)) : Digest.Sha256Of(bytes);
        if (expected is not null && actual != expected)
            throw new RegistryException($"manifest {image.Name}@{expected} failed verification: its content hashes to {actual}");

        string mediaType;
        try
        {
            mediaType = ManifestMediaType.Detect(bytes, response.Content.Headers.ContentType?.MediaType);
        }
        catch (JsonException e)
        {
            throw new RegistryException($"manifest {image.Name}:{reference} is not valid JSON: {e.Message}");
        }
        if (!MediaTypes.IsManifest(mediaType))
            throw new RegistryException($"manifest {image.Name}:{reference} has unsupported media type '{mediaType}'");
        return (actual, mediaType, bytes);
    }

    private static T Read<T>(ImageReference reference, Digest digest, byte[] bytes, JsonTypeInfo<T> type)
    {
        T? document;
        try
        {
            document = JsonSerializer.Deserialize(bytes, type);
        }
        catch (JsonException e)
        {
            throw new RegistryException($"{reference}: manifest {digest} is not valid JSON: {e.Message}");
        }
        return document switch
        {
            ImageManifest { Config: not null, Layers: not null } => document,
            ImageIndex { Manifests: not null } => document,
            _ => throw new RegistryException($"{reference}: manifest {digest} has no config or layers"),
        };
    }

    private static async Task<byte[]> ReadCappedAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxManifestBytes) throw new RegistryException($"manifest is larger than {MaxManifestBytes} bytes");
        }
        return buffer.ToArray();
    }
}
