using System.Net;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

public abstract class BaseEndpointTests(RegistryFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task VersionCheckAnswers200WithTheApiVersionHeader()
    {
        using var response = await Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
    }

    [Fact]
    public async Task UnknownV2PathAnswersTheSpecEnvelope()
    {
        using var response = await Client.GetAsync("/v2/org/app/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task WrongMethodAnswersUnsupported()
    {
        using var response = await Client.PostAsync("/v2/org/app/tags/list", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("A/b")]
    [InlineData("org/..x")]
    [InlineData("org//app")]
    [InlineData("-app")]
    public async Task InvalidNamesAreRefusedAndNothingIsStored(string name)
    {
        var content = OciTestClient.RandomBytes(64);
        var digest = OciTestClient.DigestOf(content);
        using var push = await Client.PostAsync($"/v2/{name}/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.BadRequest, push.StatusCode);
        Assert.Equal("NAME_INVALID", await push.ErrorCodeAsync());
        Assert.False(fixture.BlobFileExists(digest));
        Assert.False(await fixture.RepositoryExistsAsync(name));
    }

    [Fact]
    public async Task NameLongerThan255CharactersIsRefused()
    {
        var name = "org/" + new string('a', 296);
        using var start = await Client.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.BadRequest, start.StatusCode);
        Assert.Equal("NAME_INVALID", await start.ErrorCodeAsync());
        Assert.Equal(0, await fixture.QueryAsync(db => Task.FromResult(db.UploadSessions.Count(u => u.RepositoryName == name))));
    }

    [Fact]
    public async Task DotDotPathNeverReachesStorage()
    {
        var content = OciTestClient.RandomBytes(64);
        var digest = OciTestClient.DigestOf(content);
        // Send the path verbatim: HttpClient would otherwise remove the dot segments itself.
        var uri = new Uri($"{fixture.Server.BaseAddress}v2/../x/blobs/uploads/?digest={digest}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var push = await Client.PostAsync(uri, new ByteArrayContent(content));
        Assert.False(push.IsSuccessStatusCode);
        Assert.False(fixture.BlobFileExists(digest));
    }

    [Fact]
    public async Task MountFromDotDotNameIsNameInvalid()
    {
        var repository = OciTestClient.UniqueRepository();
        using var response = await Client.PostAsync(
            $"/v2/{repository}/blobs/uploads/?mount=sha256:{new string('a', 64)}&from=../x", null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NAME_INVALID", await response.ErrorCodeAsync());
    }
}

public sealed class BaseEndpointTestsOnSqlite(SqliteRegistryFixture fixture) : BaseEndpointTests(fixture), IClassFixture<SqliteRegistryFixture>;

[Trait("Category", "Integration")]
public sealed class BaseEndpointTestsOnPostgres(PostgresRegistryFixture fixture) : BaseEndpointTests(fixture), IClassFixture<PostgresRegistryFixture>;
