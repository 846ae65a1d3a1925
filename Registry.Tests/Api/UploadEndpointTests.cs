using System.Net;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

public abstract class UploadEndpointTests(RegistryFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task ChunkedUploadWithContentRangeCompletesWithTheRightDigest()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(3000);
        var digest = OciTestClient.DigestOf(content);
        var location = await Client.StartUploadAsync(repository);

        using var first = await Client.PatchChunkAsync(location, content[..1000], "0-999");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("0-999", first.Headers.GetValues("Range").Single());
        Assert.NotNull(first.Headers.GetValues("Docker-Upload-UUID").Single());
        using var second = await Client.PatchChunkAsync(first.Headers.Location!.ToString(), content[1000..2000], "1000-1999");
        Assert.Equal("0-1999", second.Headers.GetValues("Range").Single());

        using var status = await Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-1999", status.Headers.GetValues("Range").Single());

        using var done = await Client.CompleteUploadAsync(location, digest, content[2000..]);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal($"/v2/{repository}/blobs/{digest}", done.Headers.Location!.ToString());
        Assert.Equal(digest, done.Headers.GetValues("Docker-Content-Digest").Single());
        using var pulled = await Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task StreamedPatchWithoutContentRangeIsAppended()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(5000);
        var location = await Client.StartUploadAsync(repository);
        using var patch = await Client.PatchChunkAsync(location, content, contentRange: null);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        using var done = await Client.CompleteUploadAsync(location, OciTestClient.DigestOf(content));
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
    }

    [Theory]
    [InlineData("5-9")]    // overlaps the end of the first chunk
    [InlineData("20-29")]  // out of order: skips bytes 10-19
    [InlineData("0-9")]    // overlaps the first chunk
    public async Task ChunkThatDoesNotContinueTheUploadIs416(string range)
    {
        var repository = OciTestClient.UniqueRepository();
        var location = await Client.StartUploadAsync(repository);
        using var first = await Client.PatchChunkAsync(location, OciTestClient.RandomBytes(10), "0-9");
        using var bad = await Client.PatchChunkAsync(location, OciTestClient.RandomBytes(10), range);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, bad.StatusCode);
        Assert.Equal("BLOB_UPLOAD_INVALID", await bad.ErrorCodeAsync());
        Assert.Equal("0-9", bad.Headers.GetValues("Range").Single());
        using var status = await Client.GetAsync(location);
        Assert.Equal("0-9", status.Headers.GetValues("Range").Single());
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("-5")]
    [InlineData("9-0")]
    public async Task NonsenseContentRangeIs416AndStoresNothing(string range)
    {
        var repository = OciTestClient.UniqueRepository();
        var location = await Client.StartUploadAsync(repository);
        using var bad = await Client.PatchChunkAsync(location, OciTestClient.RandomBytes(10), range);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, bad.StatusCode);
        using var status = await Client.GetAsync(location);
        Assert.Equal("0-0", status.Headers.GetValues("Range").Single());
        Assert.Equal(0, await fixture.QueryAsync(db => Task.FromResult(db.UploadSessions.Where(u => u.RepositoryName == repository).Sum(u => u.Offset))));
    }

    [Fact]
    public async Task WrongDigestIsDigestInvalidAndNothingIsKept()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(2000);
        var wrong = OciTestClient.DigestOf(OciTestClient.RandomBytes(10));
        var location = await Client.StartUploadAsync(repository);
        using var patch = await Client.PatchChunkAsync(location, content, "0-1999");
        using var done = await Client.CompleteUploadAsync(location, wrong);
        Assert.Equal(HttpStatusCode.BadRequest, done.StatusCode);
        Assert.Equal("DIGEST_INVALID", await done.ErrorCodeAsync());
        Assert.False(fixture.BlobFileExists(wrong));
        Assert.False(fixture.BlobFileExists(OciTestClient.DigestOf(content)));
        Assert.False(Path.Exists(Path.Combine(fixture.Server.DataDirectory, "uploads", location.Split('/')[^1])));
        using var status = await Client.GetAsync(location);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
    }

    [Fact]
    public async Task MonolithicPushWithWrongDigestStoresNothing()
    {
        var repository = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(500);
        var wrong = OciTestClient.DigestOf(OciTestClient.RandomBytes(10));
        using var push = await Client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={wrong}", new ByteArrayContent(content));
        Assert.Equal("DIGEST_INVALID", await push.ErrorCodeAsync());
        Assert.False(fixture.BlobFileExists(OciTestClient.DigestOf(content)));
        Assert.False(await fixture.RepositoryExistsAsync(repository));
        Assert.Equal(0, await fixture.QueryAsync(db => Task.FromResult(db.UploadSessions.Count(u => u.RepositoryName == repository))));
    }

    [Fact]
    public async Task ContentLengthDisagreeingWithContentRangeIsSizeInvalid()
    {
        var repository = OciTestClient.UniqueRepository();
        var location = await Client.StartUploadAsync(repository);
        using var bad = await Client.PatchChunkAsync(location, OciTestClient.RandomBytes(10), "0-19");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("SIZE_INVALID", await bad.ErrorCodeAsync());
        using var status = await Client.GetAsync(location);
        Assert.Equal("0-0", status.Headers.GetValues("Range").Single());
    }

    [Fact]
    public async Task CompletingWithoutDigestIsDigestInvalid()
    {
        var location = await Client.StartUploadAsync(OciTestClient.UniqueRepository());
        using var put = await Client.PutAsync(location, null);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeleteCancelsTheSessionAndItsStagedBytes()
    {
        var location = await Client.StartUploadAsync(OciTestClient.UniqueRepository());
        using var patch = await Client.PatchChunkAsync(location, OciTestClient.RandomBytes(100), "0-99");
        using var cancel = await Client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        Assert.False(Path.Exists(Path.Combine(fixture.Server.DataDirectory, "uploads", location.Split('/')[^1])));
        using var status = await Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
    }

    [Fact]
    public async Task SessionOfAnotherRepositoryIsUnknown()
    {
        var location = await Client.StartUploadAsync(OciTestClient.UniqueRepository());
        using var status = await Client.GetAsync($"/v2/{OciTestClient.UniqueRepository()}/blobs/uploads/{location.Split('/')[^1]}");
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
    }

    [Fact]
    public async Task MountFromARepositoryThatHasTheBlobLinksIt()
    {
        var source = OciTestClient.UniqueRepository();
        var target = OciTestClient.UniqueRepository();
        var content = OciTestClient.RandomBytes(100);
        var digest = await Client.PushBlobAsync(source, content);
        using var mount = await Client.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}&from={source}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/{target}/blobs/{digest}", mount.Headers.Location!.ToString());
        using var pulled = await Client.GetAsync($"/v2/{target}/blobs/{digest}");
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MountFromARepositoryWithoutTheBlobStartsASession()
    {
        var digest = await Client.PushBlobAsync(OciTestClient.UniqueRepository(), OciTestClient.RandomBytes(100));
        var target = OciTestClient.UniqueRepository();
        using var mount = await Client.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}&from={OciTestClient.UniqueRepository()}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Contains("/blobs/uploads/", mount.Headers.Location!.ToString());
        using var blob = await Client.GetAsync($"/v2/{target}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
    }

    [Fact]
    public async Task AutomaticMountWithoutFromLinksABlobTheRegistryHas()
    {
        var content = OciTestClient.RandomBytes(100);
        var digest = await Client.PushBlobAsync(OciTestClient.UniqueRepository(), content);
        var target = OciTestClient.UniqueRepository();
        using var mount = await Client.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        using var pulled = await Client.GetAsync($"/v2/{target}/blobs/{digest}");
        Assert.Equal(content, await pulled.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AutomaticMountOfAnUnknownBlobStartsASession()
    {
        using var mount = await Client.PostAsync($"/v2/{OciTestClient.UniqueRepository()}/blobs/uploads/?mount=sha256:{new string('b', 64)}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
    }
}

public sealed class UploadEndpointTestsOnSqlite(SqliteRegistryFixture fixture) : UploadEndpointTests(fixture), IClassFixture<SqliteRegistryFixture>;

[Trait("Category", "Integration")]
public sealed class UploadEndpointTestsOnPostgres(PostgresRegistryFixture fixture) : UploadEndpointTests(fixture), IClassFixture<PostgresRegistryFixture>;
