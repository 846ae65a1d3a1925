using System.Net;
using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

public abstract class BlobEndpointTests(RegistryFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task HeadReportsSizeAndDigestWithoutBody()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(1234);
        var digest = await Client.PushBlobAsync(repository, content);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1234, head.Content.Headers.ContentLength);
        Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RangeRequestAnswers206WithThoseBytes()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(1000);
        var digest = await Client.PushBlobAsync(repository, content);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(100, 199);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content[100..200], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 100-199/1000", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task UnsatisfiableRangeAnswers416()
    {
        var repository = OciTestClient.UniqueRepository();
        var digest = await Client.PushBlobAsync(repository, OciTestClient.RandomBytes(100));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(500, 600);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
    }

    [Fact]
    public async Task UnknownBlobIsBlobUnknown()
    {
        using var response = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/blobs/sha256:{new string('0', 64)}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task BlobOfAnotherRepositoryIsNotVisible()
    {
        var digest = await Client.PushBlobAsync(OciTestClient.UniqueRepository(), OciTestClient.RandomBytes(10));
        using var response = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    public async Task MalformedDigestIsDigestInvalid(string digest)
    {
        using var response = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeleteUnlinksTheBlobFromTheRepositoryOnly()
    {
        var first = OciTestClient.UniqueRepository();
        var second = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(300);
        var digest = await Client.PushBlobAsync(first, content);
        await Client.PushBlobAsync(second, content);

        using var delete = await Client.DeleteAsync($"/v2/{first}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var gone = await Client.GetAsync($"/v2/{first}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var still = await Client.GetAsync($"/v2/{second}/blobs/{digest}");
        Assert.Equal(content, await still.Content.ReadAsByteArrayAsync());
        using var again = await Client.DeleteAsync($"/v2/{first}/blobs/{digest}");
        Assert.Equal("BLOB_UNKNOWN", await again.ErrorCodeAsync());
    }

    [Fact]
    public async Task BlobJustReadIsUnknownRightAfterItsDelete()
    {
        var repository = OciTestClient.UniqueRepository();
        var digest = await Client.PushBlobAsync(repository, OciTestClient.RandomBytes(200));
        // Read twice first, so that any cached answer is warm when the delete comes.
        for (var i = 0; i < 2; i++)
        {
            using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }
        using var delete = await Client.DeleteAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var gone = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var get = await Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal("BLOB_UNKNOWN", await get.ErrorCodeAsync());
    }

    [Fact]
    public async Task MultiMegabyteBlobComesBackWholeAndInRangesAcrossReadBlocks()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(3 * 1024 * 1024 + 17);
        var digest = await Client.PushBlobAsync(repository, content);
        using var whole = await Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content.Length, whole.Content.Headers.ContentLength);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());

        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(262_000, 800_000);
        using var part = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(content[262_000..800_001], await part.Content.ReadAsByteArrayAsync());

        var tail = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}");
        tail.Headers.Range = new RangeHeaderValue(null, 100);
        using var suffix = await Client.SendAsync(tail);
        Assert.Equal(content[^100..], await suffix.Content.ReadAsByteArrayAsync());
    }
}

public sealed class BlobEndpointTestsOnSqlite(SqliteRegistryFixture fixture) : BlobEndpointTests(fixture), IClassFixture<SqliteRegistryFixture>;

[Trait("Category", "Integration")]
public sealed class BlobEndpointTestsOnPostgres(PostgresRegistryFixture fixture) : BlobEndpointTests(fixture), IClassFixture<PostgresRegistryFixture>;
