using System.Net;
using System.Text;
using System.Text.Json;
using Registry.Storage.Manifests;
using Registry.Oci;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.GarbageCollection;

/// <summary>Non-distributable and foreign layers (and layers with <c>urls</c>) need not be pushed; every other blob must.</summary>
[Trait("Category", "Integration")]
public sealed class ForeignLayerTests
{
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task ManifestWithUnpushedForeignLayersIsAcceptedServedByteIdenticalAndSurvivesCollection(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.Zero);
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("foreign/app");
        var (config, layer) = (await PushConfigAsync(client, repository), OciTestClient.RandomBytes(2_000));
        var layerDigest = await client.PushBlobAsync(repository, layer);
        var manifest = OciTestClient.ImageManifest(config,
        [
            new { mediaType = MediaTypes.OciLayerGzip, digest = layerDigest, size = layer.Length },
            Absent(ForeignLayer.OciNonDistributableTar),
            Absent(ForeignLayer.OciNonDistributableGzip),
            Absent(ForeignLayer.OciNonDistributableZstd),
            Absent(MediaTypes.OciLayerGzip, urls: ["https://example.com/layers/windows-base.tar.gz"]),
        ]);

        using (var put = await client.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsync(client, repository, "v1", manifest);

        var report = await server.CollectAsync();
        Assert.Empty(report.Blobs);
        await AssertServedAsync(client, repository, "v1", manifest);
        await client.AssertBlobPullsAsync(repository, layer);

        using (var delete = await client.DeleteAsync($"/v2/{repository}/manifests/{OciTestClient.DigestOf(manifest)}"))
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var afterDelete = await server.CollectAsync();
        Assert.Contains(layerDigest, afterDelete.Blobs);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task DockerForeignLayersAreAcceptedAndAnOrdinaryMissingLayerIsStillRequired(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.Zero);
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("foreign/docker");
        var configBytes = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"windows"}""");
        var configDigest = await client.PushBlobAsync(repository, configBytes);
        var missing = Absent(MediaTypes.DockerLayerGzip);
        byte[] DockerManifest(params object[] layers) => JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.DockerManifest,
            config = new { mediaType = MediaTypes.DockerConfig, digest = configDigest, size = configBytes.Length },
            layers,
        });
        var foreignOnly = DockerManifest(Absent(ForeignLayer.DockerForeignGzip), Absent(ForeignLayer.DockerForeignTar));
        using (var put = await client.PutManifestAsync(repository, "ltsc", foreignOnly, MediaTypes.DockerManifest))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertServedAsync(client, repository, "ltsc", foreignOnly);

        var withOrdinaryMissing = DockerManifest(Absent(ForeignLayer.DockerForeignGzip), missing);
        using var refused = await client.PutManifestAsync(repository, "broken", withOrdinaryMissing, MediaTypes.DockerManifest);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        var entry = error.RootElement.GetProperty("errors")[0];
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", entry.GetProperty("code").GetString());
        Assert.Equal([missing.digest], entry.GetProperty("detail").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task UrlsThatAreNotAbsoluteUrlsAreManifestInvalid()
    {
        await using var server = await GcTestServer.StartAsync(TestDatabase.Sqlite, TimeSpan.FromHours(1));
        var repository = OciTestClient.UniqueRepository("foreign/bad");
        var config = await PushConfigAsync(server.Client, repository);
        var manifest = OciTestClient.ImageManifest(config, [Absent(MediaTypes.OciLayerGzip, urls: ["not a url"])]);
        using var put = await server.Client.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
    }

    private static async Task<object> PushConfigAsync(HttpClient client, string repository)
    {
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"windows"}""");
        return new { mediaType = MediaTypes.OciConfig, digest = await client.PushBlobAsync(repository, config), size = config.Length };
    }

    /// <summary>A layer descriptor whose blob is never pushed to the registry.</summary>
    private static ForeignDescriptor Absent(string mediaType, string[]? urls = null)
    {
        var bytes = OciTestClient.RandomBytes(64);
        return new ForeignDescriptor(mediaType, OciTestClient.DigestOf(bytes), bytes.Length, urls);
    }

    private static async Task AssertServedAsync(HttpClient client, string repository, string tag, byte[] expected)
    {
        using var get = await client.GetAsync($"/v2/{repository}/manifests/{tag}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(expected, await get.Content.ReadAsByteArrayAsync());
    }

    private sealed record ForeignDescriptor(string mediaType, string digest, long size,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string[]? urls);
}
