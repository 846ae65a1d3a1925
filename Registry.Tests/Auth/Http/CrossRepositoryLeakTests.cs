using System.Net;
using System.Net.Http.Json;
using System.Text;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// Content must not cross repositories to a caller who may push somewhere but may not pull the source: the
/// automatic mount (POST ?mount= without from) and every other path where a blob, a child manifest or their
/// existence could leak. Each caller here may push into a namespace of its own; none may pull acme/secret.
/// The tests share one registry (<see cref="CrossRepositoryLeakFixture"/>); each pushes into repositories of its own.
/// </summary>
public abstract class CrossRepositoryLeakTests(CrossRepositoryLeakFixture fixture)
{
    private const string Secret = CrossRepositoryLeakFixture.Secret;
    private readonly AuthTestServer auth = fixture.Auth;
    private readonly string layerDigest = fixture.LayerDigest, manifestDigest = fixture.ManifestDigest;
    private readonly byte[] layer = fixture.Layer;

    [Fact]
    public async Task AutomaticMountByAnOutsiderOpensAnUploadAndLeaksNoBytes()
    {
        using var eve = await TokenClientAsync("eve", AuthTestServer.PasswordOf("eve"), "repository:eve/loot:pull,push");
        Assert.Equal(HttpStatusCode.Forbidden, (await eve.GetAsync($"/v2/{Secret}/blobs/{layerDigest}")).StatusCode);

        await AssertMountRefusedAsync(eve, "eve/loot");

        // Uploading the real bytes still works (she has them) and ends in a link to the one stored copy.
        var pushed = await eve.PushBlobAsync("eve/loot", layer);
        Assert.Equal(layerDigest, pushed);
        Assert.Equal(layer, await eve.GetByteArrayAsync($"/v2/eve/loot/blobs/{layerDigest}"));
    }

    [Fact]
    public async Task AutomaticMountOfAHiddenBlobAnswersExactlyAsForAMissingOne()
    {
        using var mallory = await TokenClientAsync("mallory", AuthTestServer.PasswordOf("mallory"), "repository:mallory/probe:pull,push");
        using var hidden = await mallory.PostAsync($"/v2/mallory/probe/blobs/uploads/?mount={layerDigest}", null);
        using var missing = await mallory.PostAsync($"/v2/mallory/probe/blobs/uploads/?mount=sha256:{new string('e', 64)}", null);
        Assert.Equal(missing.StatusCode, hidden.StatusCode);
        Assert.Equal(HeaderNames(missing), HeaderNames(hidden));
        Assert.Equal(await missing.Content.ReadAsStringAsync(), await hidden.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OrganizationMemberWithoutAGrantOnTheSourceGetsNoMount()
    {
        using var member = await TokenClientAsync("member", AuthTestServer.PasswordOf("member"), "repository:member/copy:pull,push");
        await AssertMountRefusedAsync(member, "member/copy");
    }

    [Fact]
    public async Task RobotOfAnotherOrganizationGetsNoMount()
    {
        var (login, secret) = await auth.CreateRobotAsync("other", "ci", "*", "pull", "push");
        using var robot = await TokenClientAsync(login, secret, "repository:other/loot:pull,push");
        await AssertMountRefusedAsync(robot, "other/loot");
    }

    [Fact]
    public async Task RemovedMemberLosesTheMountWithTheMembership()
    {
        await auth.SetMemberAsync("acme", "leaver", "maintainer");
        using var before = auth.Basic("leaver", AuthTestServer.PasswordOf("leaver"));
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync($"/v2/{Secret}/blobs/{layerDigest}")).StatusCode);
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/orgs/acme/members/leaver"), HttpStatusCode.NoContent);

        using var after = await TokenClientAsync("leaver", AuthTestServer.PasswordOf("leaver"), "repository:leaver/copy:pull,push");
        await AssertMountRefusedAsync(after, "leaver/copy");
    }

    [Fact]
    public async Task RevokedRobotTokenMountsNothing()
    {
        var (login, secret) = await auth.CreateRobotAsync("acme", "old", "*", "pull", "push");
        using var robot = await TokenClientAsync(login, secret, "repository:acme/copy:pull,push", $"repository:{Secret}:pull");
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/orgs/acme/robots/old"), HttpStatusCode.NoContent);

        using var mount = await robot.PostAsync($"/v2/acme/copy/blobs/uploads/?mount={layerDigest}", null);
        Assert.Equal(HttpStatusCode.Unauthorized, mount.StatusCode);
        using var maint = auth.Basic("maint", AuthTestServer.PasswordOf("maint"));
        Assert.Equal(HttpStatusCode.NotFound, (await maint.GetAsync($"/v2/acme/copy/blobs/{layerDigest}")).StatusCode);
    }

    [Fact]
    public async Task CallerWhoMayPullTheSourceStillMounts()
    {
        // Basic credentials: the identity's own access decides.
        using var basic = auth.Basic("maint", AuthTestServer.PasswordOf("maint"));
        await AssertMountedAsync(basic, "maint/copy");
        // A token: it must grant pull on a repository holding the blob (a token is never more than its scopes).
        using var scoped = await TokenClientAsync("maint", AuthTestServer.PasswordOf("maint"), "repository:maint/other:pull,push", $"repository:{Secret}:pull");
        await AssertMountedAsync(scoped, "maint/other");
        using var narrow = await TokenClientAsync("maint", AuthTestServer.PasswordOf("maint"), "repository:maint/third:pull,push");
        await AssertMountRefusedAsync(narrow, "maint/third");
    }

    [Fact]
    public async Task ManifestsCannotBorrowBlobsOrChildrenFromAHiddenRepository()
    {
        using var mallory = await TokenClientAsync("mallory", AuthTestServer.PasswordOf("mallory"), "repository:mallory/borrowed:pull,push");
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var configDigest = await mallory.PushBlobAsync("mallory/borrowed", config);
        var image = OciTestClient.ImageManifest(
            new { mediaType = "application/vnd.oci.image.config.v1+json", digest = configDigest, size = config.Length },
            [new { mediaType = "application/vnd.oci.image.layer.v1.tar+gzip", digest = layerDigest, size = layer.Length }]);
        await AssertManifestBlobUnknownAsync(await mallory.PutManifestAsync("mallory/borrowed", "stolen", image, "application/vnd.oci.image.manifest.v1+json"), layerDigest);

        var index = JsonContent.Create(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.oci.image.index.v1+json",
            manifests = new[] { new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = manifestDigest, size = 100 } },
        });
        var indexBytes = await index.ReadAsByteArrayAsync();
        await AssertManifestBlobUnknownAsync(await mallory.PutManifestAsync("mallory/borrowed", "stolen-index", indexBytes, "application/vnd.oci.image.index.v1+json"), manifestDigest);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/v2/mallory/borrowed/manifests/{manifestDigest}")).StatusCode);
    }

    [Fact]
    public async Task ListingsAndReadsOfTheHiddenRepositoryAreRefusedAlike()
    {
        using var mallory = auth.Basic("mallory", AuthTestServer.PasswordOf("mallory"));
        foreach (var path in new[] { $"blobs/{layerDigest}", $"manifests/{manifestDigest}", "manifests/1", "tags/list", $"referrers/{manifestDigest}" })
        {
            using var existing = await mallory.GetAsync($"/v2/{Secret}/{path}");
            using var absent = await mallory.GetAsync($"/v2/acme/absent/{path}");
            Assert.Equal(HttpStatusCode.Forbidden, existing.StatusCode);
            Assert.Equal(absent.StatusCode, existing.StatusCode);
            Assert.Equal((await absent.Content.ReadAsStringAsync()).Replace("acme/absent", Secret), await existing.Content.ReadAsStringAsync());
            using var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{Secret}/{path}");
            Assert.Equal(HttpStatusCode.Forbidden, (await mallory.SendAsync(head)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/v2/mallory/lister/blobs/{layerDigest}")).StatusCode);
        var catalog = await mallory.GetStringAsync("/v2/_catalog");
        Assert.DoesNotContain(Secret, catalog);
    }

    private async Task AssertMountRefusedAsync(HttpClient client, string repository)
    {
        using var mount = await client.PostAsync($"/v2/{repository}/blobs/uploads/?mount={layerDigest}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Contains($"/v2/{repository}/blobs/uploads/", mount.Headers.Location!.ToString());
        Assert.False(mount.Headers.Contains("Docker-Content-Digest"));
        using var withFrom = await client.PostAsync($"/v2/{repository}/blobs/uploads/?mount={layerDigest}&from={Secret}", null);
        Assert.Equal(HttpStatusCode.Accepted, withFrom.StatusCode);
        using var read = await client.GetAsync($"/v2/{repository}/blobs/{layerDigest}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{layerDigest}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(head)).StatusCode);
    }

    private async Task AssertMountedAsync(HttpClient client, string repository)
    {
        using var mount = await client.PostAsync($"/v2/{repository}/blobs/uploads/?mount={layerDigest}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal(layer, await client.GetByteArrayAsync($"/v2/{repository}/blobs/{layerDigest}"));
    }

    private static async Task AssertManifestBlobUnknownAsync(HttpResponseMessage response, string digest)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("MANIFEST_BLOB_UNKNOWN", body);
            Assert.Contains(digest, body);
        }
    }

    private async Task<HttpClient> TokenClientAsync(string user, string password, params string[] scopes) =>
        auth.Bearer(await auth.TokenAsync(user, password, scopes));

    private static List<string> HeaderNames(HttpResponseMessage response) =>
        response.Headers.Select(h => h.Key).Where(k => k != "Location" && k != "Docker-Upload-UUID" && k != "Date").Order().ToList();
}

public sealed class SqliteCrossRepositoryLeakTests(SqliteCrossRepositoryLeakFixture fixture)
    : CrossRepositoryLeakTests(fixture), IClassFixture<SqliteCrossRepositoryLeakFixture>;
[Trait("Category", "Integration")]
public sealed class PostgresCrossRepositoryLeakTests(PostgresCrossRepositoryLeakFixture fixture)
    : CrossRepositoryLeakTests(fixture), IClassFixture<PostgresCrossRepositoryLeakFixture>;

/// <summary>
/// Organizations acme (holding the private <see cref="Secret"/> image) and other; users mallory and eve (outsiders), member
/// (acme developer without a grant), maint (acme maintainer) and leaver (made a member by the one test that removes it).
/// </summary>
public abstract class CrossRepositoryLeakFixture(TestDatabase database) : AuthServerFixture(database)
{
    public const string Secret = "acme/secret";

    public byte[] Layer { get; } = Encoding.UTF8.GetBytes($"acme's private layer {Guid.NewGuid()}");
    public string LayerDigest => OciTestClient.DigestOf(Layer);
    public string ManifestDigest { get; private set; } = "";

    protected override async Task SeedAsync(AuthTestServer auth)
    {
        await auth.CreateOrganizationAsync("acme");
        await auth.CreateOrganizationAsync("other");
        (_, ManifestDigest) = await auth.Admin.PushImageAsync(Secret, "1", Layer);
        // eve is the one outsider who pushes the layer's bytes herself: after that she may rightly mount it.
        foreach (var user in new[] { "mallory", "eve", "member", "leaver", "maint" }) await auth.CreateUserAsync(user);
        await auth.SetMemberAsync("acme", "member", "developer"); // private repository, no team grant: nothing
        await auth.SetMemberAsync("acme", "maint", "maintainer");
    }
}

public sealed class SqliteCrossRepositoryLeakFixture() : CrossRepositoryLeakFixture(TestDatabase.Sqlite);
public sealed class PostgresCrossRepositoryLeakFixture() : CrossRepositoryLeakFixture(TestDatabase.Postgres);
