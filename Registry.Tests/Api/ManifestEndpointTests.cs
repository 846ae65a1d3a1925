using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

public abstract class ManifestEndpointTests(RegistryFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task HeadReportsDigestTypeAndLength()
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, digest) = await Client.PushImageAsync(repository, "v1", OciTestClient.RandomBytes(10));
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/v1"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(manifest.Length, head.Content.Headers.ContentLength);
        Assert.Equal(MediaTypes.OciManifest, head.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task AcceptThatExcludesTheMediaTypeIsManifestUnknown()
    {
        var repository = OciTestClient.UniqueRepository();
        await Client.PushImageAsync(repository, "v1", OciTestClient.RandomBytes(10));
        var refused = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/v1");
        refused.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.DockerManifest));
        using var notAccepted = await Client.SendAsync(refused);
        Assert.Equal(HttpStatusCode.NotFound, notAccepted.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await notAccepted.ErrorCodeAsync());

        var accepted = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/v1");
        accepted.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.DockerManifest));
        accepted.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciManifest));
        using var ok = await Client.SendAsync(accepted);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task DockerSchema2ManifestAndListRoundTripWithTheirMediaTypes()
    {
        var repository = OciTestClient.UniqueRepository();
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux"}""");
        var layer = OciTestClient.RandomBytes(50);
        var configDigest = await Client.PushBlobAsync(repository, config);
        var layerDigest = await Client.PushBlobAsync(repository, layer);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.DockerManifest,
            config = new { mediaType = MediaTypes.DockerConfig, digest = configDigest, size = config.Length },
            layers = new[] { new { mediaType = MediaTypes.DockerLayerGzip, digest = layerDigest, size = layer.Length } },
        });
        using var put = await Client.PutManifestAsync(repository, "amd64", manifest, MediaTypes.DockerManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var list = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.DockerManifestList,
            manifests = new[] { new { mediaType = MediaTypes.DockerManifest, digest = OciTestClient.DigestOf(manifest), size = manifest.Length, platform = new { architecture = "amd64", os = "linux" } } },
        });
        using var putList = await Client.PutManifestAsync(repository, "latest", list, MediaTypes.DockerManifestList);
        Assert.Equal(HttpStatusCode.Created, putList.StatusCode);

        using var get = await Client.GetAsync($"/v2/{repository}/manifests/latest");
        Assert.Equal(MediaTypes.DockerManifestList, get.Content.Headers.ContentType!.MediaType);
        Assert.Equal(list, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IndexNamingAMissingChildIsManifestBlobUnknown()
    {
        var repository = OciTestClient.UniqueRepository();
        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = MediaTypes.OciIndex,
            manifests = new[] { new { mediaType = MediaTypes.OciManifest, digest = $"sha256:{new string('c', 64)}", size = 100 } },
        });
        using var put = await Client.PutManifestAsync(repository, "multi", index, MediaTypes.OciIndex);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task ManifestNamingAMissingBlobIsManifestBlobUnknownAndNotStored()
    {
        var repository = OciTestClient.UniqueRepository();
        var configDigest = await Client.PushBlobAsync(repository, OciTestClient.RandomBytes(20));
        var manifest = OciTestClient.ImageManifest(
            new { mediaType = MediaTypes.OciConfig, digest = configDigest, size = 20 },
            [new { mediaType = MediaTypes.OciLayerGzip, digest = $"sha256:{new string('d', 64)}", size = 5 }]);
        using var put = await Client.PutManifestAsync(repository, "broken", manifest, MediaTypes.OciManifest);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
        await AssertNoManifestAsync(repository, "broken");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"schemaVersion":1,"config":{},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:abc","size":1},"layers":[]}""")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""")]
    [InlineData("[]")]
    public async Task MalformedManifestIsManifestInvalidAndNotStored(string json)
    {
        var repository = OciTestClient.UniqueRepository();
        using var put = await Client.PutManifestAsync(repository, "bad", Encoding.UTF8.GetBytes(json), MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
        await AssertNoManifestAsync(repository, "bad");
    }

    [Fact]
    public async Task ManifestLargerThan4MiBIs413()
    {
        var repository = OciTestClient.UniqueRepository();
        var padding = new string('x', 4 * 1024 * 1024);
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"annotations\":{\"pad\":\"" + padding + "\"}}");
        using var put = await Client.PutManifestAsync(repository, "huge", manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        await AssertNoManifestAsync(repository, "huge");
    }

    [Theory]
    [InlineData("-leadingdash")]
    [InlineData(".dot")]
    [InlineData("has+plus")]
    public async Task InvalidTagIsRefusedAndNotStored(string tag)
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, _) = await Client.PushImageAsync(repository, "ok", OciTestClient.RandomBytes(5));
        using var put = await Client.PutManifestAsync(repository, tag, manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("TAG_INVALID", await put.ErrorCodeAsync());
        Assert.Equal(0, await fixture.QueryAsync(db => Task.FromResult(db.Tags.Count(t => t.Name == tag))));
    }

    [Fact]
    public async Task TagOf129CharactersIsRefused()
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, _) = await Client.PushImageAsync(repository, "ok", OciTestClient.RandomBytes(5));
        using var put = await Client.PutManifestAsync(repository, new string('t', 129), manifest, MediaTypes.OciManifest);
        Assert.Equal("TAG_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task PutByDigestThatDoesNotMatchTheBytesIsDigestInvalid()
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, _) = await Client.PushImageAsync(repository, "ok", OciTestClient.RandomBytes(5));
        var wrong = $"sha256:{new string('e', 64)}";
        using var put = await Client.PutManifestAsync(repository, wrong, manifest, MediaTypes.OciManifest);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
        await AssertNoManifestAsync(repository, wrong);
    }

    [Fact]
    public async Task MediaTypeThatContradictsContentTypeIsManifestInvalid()
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, _) = await Client.PushImageAsync(repository, "ok", OciTestClient.RandomBytes(5));
        using var put = await Client.PutManifestAsync(repository, "other", manifest, MediaTypes.DockerManifest);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeletingATagLeavesTheManifestReachableByDigest()
    {
        var repository = OciTestClient.UniqueRepository();
        var (_, digest) = await Client.PushImageAsync(repository, "v1", OciTestClient.RandomBytes(5));
        using var delete = await Client.DeleteAsync($"/v2/{repository}/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var byTag = await Client.GetAsync($"/v2/{repository}/manifests/v1");
        Assert.Equal("MANIFEST_UNKNOWN", await byTag.ErrorCodeAsync());
        using var byDigest = await Client.GetAsync($"/v2/{repository}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task DeletingByDigestRemovesTheManifestAndItsTags()
    {
        var repository = OciTestClient.UniqueRepository();
        var (manifest, digest) = await Client.PushImageAsync(repository, "v1", OciTestClient.RandomBytes(5));
        using var alias = await Client.PutManifestAsync(repository, "v2", manifest, MediaTypes.OciManifest);
        // Warm the tag cache so the delete must invalidate it.
        using var warm = await Client.GetAsync($"/v2/{repository}/manifests/v2");
        using var delete = await Client.DeleteAsync($"/v2/{repository}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        foreach (var reference in new[] { "v1", "v2", digest })
        {
            using var get = await Client.GetAsync($"/v2/{repository}/manifests/{reference}");
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
        using var tags = await Client.GetAsync($"/v2/{repository}/tags/list");
        Assert.Equal("[]", JsonDocument.Parse(await tags.Content.ReadAsStringAsync()).RootElement.GetProperty("tags").GetRawText());
    }

    [Fact]
    public async Task RetaggingIsVisibleImmediately()
    {
        var repository = OciTestClient.UniqueRepository();
        var (_, first) = await Client.PushImageAsync(repository, "latest", OciTestClient.RandomBytes(5));
        using var warm = await Client.GetAsync($"/v2/{repository}/manifests/latest");
        var (_, second) = await Client.PushImageAsync(repository, "latest", OciTestClient.RandomBytes(6));
        using var get = await Client.GetAsync($"/v2/{repository}/manifests/latest");
        Assert.NotEqual(first, second);
        Assert.Equal(second, get.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task UnknownManifestIsManifestUnknown()
    {
        using var get = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/manifests/nope");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await get.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("-leadingdash")]
    [InlineData("has+plus")]
    [InlineData("sha256:short")]
    [InlineData("nosuch:0123")]
    public async Task ReferenceThatIsNeitherTagNorDigestIsManifestUnknownOnGetAndHead(string reference)
    {
        var repository = OciTestClient.UniqueRepository();
        await Client.PushImageAsync(repository, "ok", OciTestClient.RandomBytes(5));
        using var get = await Client.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await get.ErrorCodeAsync());
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{reference}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using var tooLong = await Client.GetAsync($"/v2/{repository}/manifests/{new string('t', 129)}");
        Assert.Equal("MANIFEST_UNKNOWN", await tooLong.ErrorCodeAsync());
    }

    private async Task AssertNoManifestAsync(string repository, string reference)
    {
        using var get = await Client.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        var stored = await fixture.QueryAsync(db => Task.FromResult(
            db.Manifests.Count(m => db.Repositories.Any(r => r.Id == m.RepositoryId && r.Name == repository) && m.Digest != null &&
                                    !db.Tags.Any(t => t.ManifestId == m.Id && t.Name == "ok"))));
        Assert.Equal(0, stored);
    }
}

public sealed class ManifestEndpointTestsOnSqlite(SqliteRegistryFixture fixture) : ManifestEndpointTests(fixture), IClassFixture<SqliteRegistryFixture>;

[Trait("Category", "Integration")]
public sealed class ManifestEndpointTestsOnPostgres(PostgresRegistryFixture fixture) : ManifestEndpointTests(fixture), IClassFixture<PostgresRegistryFixture>;
