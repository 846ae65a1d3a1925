using System.Net;
using System.Text;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.GarbageCollection;

/// <summary>An image pushed for a GC test: its manifest and every blob's bytes.</summary>
public sealed record PushedImage(string Repository, byte[] Manifest, string Digest, byte[] Config, IReadOnlyList<byte[]> Layers)
{
    public string ConfigDigest => OciTestClient.DigestOf(Config);
    public IEnumerable<byte[]> Blobs => Layers.Prepend(Config);
    public object Descriptor => new { mediaType = MediaTypes.OciManifest, digest = Digest, size = Manifest.Length };

    /// <summary>Asserts the manifest (by digest) and every blob pull back intact.</summary>
    public async Task AssertPullsAsync(HttpClient client)
    {
        using var response = await client.GetAsync($"/v2/{Repository}/manifests/{Digest}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"manifest {Digest} answered {(int)response.StatusCode}");
        Assert.Equal(Manifest, await response.Content.ReadAsByteArrayAsync());
        await AssertBlobsPullAsync(client);
    }

    /// <summary>Asserts every blob pulls back intact.</summary>
    public async Task AssertBlobsPullAsync(HttpClient client)
    {
        foreach (var blob in Blobs) await client.AssertBlobPullsAsync(Repository, blob);
    }
}

/// <summary>Pushes images over the real /v2 API for GC tests.</summary>
public static class GcImages
{
    /// <summary>Pushes config and layers, then the manifest under <paramref name="reference"/> (a tag, or null for by-digest).</summary>
    public static async Task<PushedImage> PushAsync(HttpClient client, string repository, string? reference, params byte[][] layers)
    {
        var image = Build(repository, layers);
        foreach (var blob in image.Blobs) await client.PushBlobAsync(repository, blob);
        using var response = await client.PutManifestAsync(repository, reference ?? image.Digest, image.Manifest, MediaTypes.OciManifest);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"manifest push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return image;
    }

    /// <summary>An image's bytes (a unique config, so two images never share a manifest), not pushed.</summary>
    public static PushedImage Build(string repository, byte[][] layers, object? subject = null, string? artifactType = null)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"id":"{{Guid.NewGuid():N}}"}""");
        var manifest = OciTestClient.ImageManifest(
            new { mediaType = MediaTypes.OciConfig, digest = OciTestClient.DigestOf(config), size = config.Length },
            layers.Select(l => new { mediaType = MediaTypes.OciLayerGzip, digest = OciTestClient.DigestOf(l), size = l.Length }),
            subject, artifactType);
        return new PushedImage(repository, manifest, OciTestClient.DigestOf(manifest), config, layers);
    }

    /// <summary>Pushes an OCI index of <paramref name="children"/> under <paramref name="tag"/>; returns its digest.</summary>
    public static async Task<string> PushIndexAsync(HttpClient client, string repository, string tag, params PushedImage[] children)
    {
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciIndex,
            manifests = children.Select(c => new { mediaType = MediaTypes.OciManifest, digest = c.Digest, size = c.Manifest.Length }),
        });
        using var response = await client.PutManifestAsync(repository, tag, index, MediaTypes.OciIndex);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"index push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return OciTestClient.DigestOf(index);
    }
}
