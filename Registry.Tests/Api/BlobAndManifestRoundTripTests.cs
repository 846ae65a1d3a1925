using System.Net;
using Registry.Oci;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

[Trait("Category", "Integration")]
public sealed class BlobAndManifestRoundTripTests
{
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task PushedImageIsPulledBackByteForByte(TestDatabase database)
    {
        await using var server = await RegistryServer.StartAsync(database);
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("org/app");
        var layer = OciTestClient.RandomBytes(100_000);

        var (manifest, manifestDigest) = await client.PushImageAsync(repository, "1.0", layer);

        var layerDigest = OciTestClient.DigestOf(layer);
        using var blob = await client.GetAsync($"/v2/{repository}/blobs/{layerDigest}");
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal(layer, await blob.Content.ReadAsByteArrayAsync());
        Assert.Equal(layerDigest, blob.Headers.GetValues("Docker-Content-Digest").Single());

        using var byTag = await client.GetAsync($"/v2/{repository}/manifests/1.0");
        Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
        Assert.Equal(manifest, await byTag.Content.ReadAsByteArrayAsync());
        Assert.Equal(MediaTypes.OciManifest, byTag.Content.Headers.ContentType!.MediaType);
        Assert.Equal(manifestDigest, byTag.Headers.GetValues("Docker-Content-Digest").Single());

        using var byDigest = await client.GetAsync($"/v2/{repository}/manifests/{manifestDigest}");
        Assert.Equal(manifest, await byDigest.Content.ReadAsByteArrayAsync());
    }
}
