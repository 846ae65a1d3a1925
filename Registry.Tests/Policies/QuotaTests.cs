using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Policies;

/// <summary>
/// Organization quotas and usage through the real management API and real /v2 pushes. Each test starts its own
/// registry: the first test's one-second recount job would otherwise recount the other tests' organizations.
/// </summary>
public abstract class QuotaTests(TestDatabase database)
{
    [Fact]
    public async Task PushOverQuotaIsDeniedWithTheFiguresAndDeletesBringUsageDown()
    {
        // The recount job runs every second here, so unique bytes follow pushes in other namespaces.
        await using var auth = await AuthTestServer.StartAsync(database, new Dictionary<string, string?> { ["Registry:Quota:RecountInterval"] = "00:00:01" });
        await auth.CreateOrganizationAsync("acme");
        var layer = OciTestClient.RandomBytes(1000);
        var (firstManifest, firstDigest) = await auth.Admin.PushImageAsync("acme/app", "1", layer);
        var firstBytes = layer.Length + ConfigSize(firstManifest);
        var usage = await UsageAsync(auth);
        Assert.Equal(firstBytes, usage.GetProperty("bytes").GetInt64());
        Assert.Equal(firstBytes, usage.GetProperty("uniqueBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("quota").ValueKind);

        var quota = firstBytes + 1500;
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = quota }), HttpStatusCode.OK);
        var (secondManifest, _) = await auth.Admin.PushImageAsync("acme/app", "2", OciTestClient.RandomBytes(1000));
        var secondBytes = firstBytes + 1000 + ConfigSize(secondManifest);
        Assert.Equal(secondBytes, (await UsageAsync(auth)).GetProperty("bytes").GetInt64());

        // A third new layer does not fit: the manifest PUT is refused with the figures, and nothing is tagged.
        var config = await auth.Admin.PushBlobAsync("acme/web", Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux"}"""));
        var big = OciTestClient.RandomBytes(1000);
        var manifest = OciTestClient.ImageManifest(new { mediaType = MediaTypes.OciConfig, digest = config, size = 37 },
            [new { mediaType = MediaTypes.OciLayerGzip, digest = await auth.Admin.PushBlobAsync("acme/web", big), size = big.Length }]);
        using (var refused = await auth.Admin.PutManifestAsync("acme/web", "1", manifest, MediaTypes.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
            Assert.Equal("DENIED", error.GetProperty("code").GetString());
            Assert.StartsWith("quota exceeded: ", error.GetProperty("message").GetString());
            Assert.Contains($"used of {quota / 1024.0:0.#} KiB", error.GetProperty("message").GetString());
            Assert.Equal(secondBytes, error.GetProperty("detail").GetProperty("used").GetInt64());
            Assert.Equal(quota, error.GetProperty("detail").GetProperty("quota").GetInt64());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await auth.Admin.GetAsync("/v2/acme/web/manifests/1")).StatusCode);
        // Content the organization already references costs nothing: a copy into another repository is accepted.
        await auth.Admin.PushBlobAsync("acme/copy", layer);
        await auth.Admin.PushBlobAsync("acme/copy", await auth.Admin.GetByteArrayAsync($"/v2/acme/app/blobs/{ConfigDigest(firstManifest)}"));
        using (var copy = await auth.Admin.PutManifestAsync("acme/copy", "1", firstManifest, MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, copy.StatusCode);
        Assert.Equal(secondBytes, (await UsageAsync(auth)).GetProperty("bytes").GetInt64());

        // Another namespace sharing the first image makes those bytes no longer unique (seen by the recount job).
        await auth.Admin.PushBlobAsync("admin/mirror", layer);
        await auth.Admin.PushBlobAsync("admin/mirror", await auth.Admin.GetByteArrayAsync($"/v2/acme/app/blobs/{ConfigDigest(firstManifest)}"));
        using (var shared = await auth.Admin.PutManifestAsync("admin/mirror", "1", firstManifest, MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        await WaitForAsync(async () => (await UsageAsync(auth)).GetProperty("uniqueBytes").GetInt64() == secondBytes - firstBytes);

        // Lowered below what is used, the organization takes no new blob uploads at all.
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = 100 }), HttpStatusCode.OK);
        using (var upload = await auth.Admin.PostAsync("/v2/acme/app/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
            Assert.Contains("quota exceeded", await upload.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.Accepted, (await auth.Admin.PostAsync("/v2/admin/other/blobs/uploads/", null)).StatusCode);

        // Deleting the manifests brings the usage down at once.
        Assert.Equal(HttpStatusCode.Accepted, (await auth.Admin.DeleteAsync($"/v2/acme/app/manifests/{firstDigest}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await auth.Admin.DeleteAsync($"/v2/acme/copy/manifests/{firstDigest}")).StatusCode);
        Assert.Equal(secondBytes - firstBytes, (await UsageAsync(auth)).GetProperty("bytes").GetInt64());
        Assert.Contains("org.quota.set", await auth.Admin.GetStringAsync("/api/v1/orgs/acme/audit"));
    }

    [Fact]
    public async Task OnlyAdministratorsSetQuotasAndMembersReadUsage()
    {
        await using var auth = await AuthTestServer.StartAsync(database);
        await auth.CreateUserAsync("boss");
        await auth.CreateUserAsync("stranger");
        using var boss = auth.Basic("boss", AuthTestServer.PasswordOf("boss"));
        using var stranger = auth.Basic("stranger", AuthTestServer.PasswordOf("stranger"));
        await AuthTestServer.Expect(await boss.PostAsJsonAsync("/api/v1/orgs", new { name = "acme" }), HttpStatusCode.Created);

        await AuthTestServer.Expect(await boss.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = 1 }), HttpStatusCode.Forbidden);
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = -1 }), HttpStatusCode.BadRequest);
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/nope/quota", new { bytes = 1 }), HttpStatusCode.NotFound);
        await AuthTestServer.Expect(await stranger.GetAsync("/api/v1/orgs/acme/usage"), HttpStatusCode.NotFound);
        var usage = await AuthTestServer.Expect(await boss.GetAsync("/api/v1/orgs/acme/usage"), HttpStatusCode.OK);
        Assert.Equal(0, usage.GetProperty("bytes").GetInt64());

        // Removing the limit (bytes null) lets pushes through again.
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = 1 }), HttpStatusCode.OK);
        var config = await boss.PushBlobAsync("acme/app", Encoding.UTF8.GetBytes("{}"));
        var manifest = OciTestClient.ImageManifest(new { mediaType = MediaTypes.OciConfig, digest = config, size = 2 }, []);
        Assert.Equal(HttpStatusCode.Forbidden, (await boss.PutManifestAsync("acme/app", "1", manifest, MediaTypes.OciManifest)).StatusCode);
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = (long?)null }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Created, (await boss.PutManifestAsync("acme/app", "1", manifest, MediaTypes.OciManifest)).StatusCode);
        Assert.Equal(2, (await UsageAsync(auth)).GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task ManifestPushesRacingRecountsCountEveryByteOnce()
    {
        // Each round sends a manifest PUT and a quota PUT (which recounts) at the same moment, then checks the figure
        // before anything else can repair it. With the increment outside the manifest's transaction, a recount that
        // counted before the commit and wrote after the increment lost the push's bytes, and one that counted between
        // the commit and the increment counted them twice (once seen: 4 bytes instead of 2).
        await using var auth = await AuthTestServer.StartAsync(database);
        await auth.CreateOrganizationAsync("acme");
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = 1L << 40 }), HttpStatusCode.OK);
        long expected = 0;
        for (var round = 0; round < 25; round++)
        {
            var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","round":{{round}}}""");
            var layer = OciTestClient.RandomBytes(100 + round);
            var manifest = OciTestClient.ImageManifest(
                new { mediaType = MediaTypes.OciConfig, digest = await auth.Admin.PushBlobAsync("acme/app", config), size = config.Length },
                [new { mediaType = MediaTypes.OciLayerGzip, digest = await auth.Admin.PushBlobAsync("acme/app", layer), size = layer.Length }]);
            var push = auth.Admin.PutManifestAsync("acme/app", $"r{round}", manifest, MediaTypes.OciManifest);
            var recount = auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/quota", new { bytes = 1L << 40 });
            using (var pushed = await push) Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
            await AuthTestServer.Expect(await recount, HttpStatusCode.OK);
            expected += config.Length + layer.Length;
            Assert.Equal(expected, (await UsageAsync(auth)).GetProperty("bytes").GetInt64());
        }
    }

    private static async Task<JsonElement> UsageAsync(AuthTestServer auth) =>
        await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/orgs/acme/usage"), HttpStatusCode.OK);

    private static JsonElement Config(byte[] manifest) => JsonDocument.Parse(manifest).RootElement.GetProperty("config");
    private static long ConfigSize(byte[] manifest) => Config(manifest).GetProperty("size").GetInt64();
    private static string ConfigDigest(byte[] manifest) => Config(manifest).GetProperty("digest").GetString()!;

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(200);
        }
    }
}

public sealed class SqliteQuotaTests() : QuotaTests(TestDatabase.Sqlite);
[Trait("Category", "Integration")]
public sealed class PostgresQuotaTests() : QuotaTests(TestDatabase.Postgres);
