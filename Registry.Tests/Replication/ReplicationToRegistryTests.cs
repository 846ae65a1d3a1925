using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;
using Registry.Storage.Replication;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Replication.ReplicationTestKit;

namespace Registry.Tests.Replication;

/// <summary>
/// Push-mode replication from one real registry to a second instance of ours with auth on (token auth as its
/// challenge asks): matching pushes arrive byte-identical, with an index's children and a later signature.
/// </summary>
[Trait("Category", "Integration")]
public abstract class ReplicationToRegistryTests(TestDatabase database)
{
    [Fact]
    public async Task MatchingPushesArriveByteIdenticalWithChildrenAndReferrers()
    {
        await using var target = await AuthTestServer.StartAsync(TestDatabase.Sqlite);
        await target.CreateOrganizationAsync("mirror");
        await using var source = await AuthTestServer.StartAsync(database);
        await source.CreateOrganizationAsync("acme");
        var id = await CreateRuleAsync(source, "acme", new
        {
            repositories = "app/*", tags = "v*", target = target.Server.BaseAddress.ToString(), targetRepositoryPrefix = "mirror/",
            username = AuthTestServer.AdminUser, password = AuthTestServer.AdminPassword,
        });

        var (_, image) = await source.Admin.PushImageAsync("acme/app/web", "v1", OciTestClient.RandomBytes(2000), OciTestClient.RandomBytes(3000));
        await source.Admin.PushImageAsync("acme/app/web", "dev", OciTestClient.RandomBytes(100));
        await source.Admin.PushImageAsync("acme/other", "v1", OciTestClient.RandomBytes(100));
        var (index, children) = await PushIndexAsync(source.Admin, "acme/app/multi", "v2");
        var signature = await source.Admin.PushReferrerAsync("acme/app/web", image);

        var rule = await WaitForRuleAsync(source, "acme", id, r => r.Status().GetProperty("pending").GetInt32() == 0
            && r.Status().GetProperty("lastReplicated").GetString()?.Contains(signature) == true);
        Assert.True(rule.Status().GetProperty("healthy").GetBoolean(), rule.ToString());
        Assert.Equal(0, rule.Status().GetProperty("lagSeconds").GetDouble());

        await AssertSameManifestAsync(source.Admin, "acme/app/web", target.Admin, "mirror/acme/app/web", "v1");
        await AssertSameManifestAsync(source.Admin, "acme/app/multi", target.Admin, "mirror/acme/app/multi", "v2");
        foreach (var child in children) await AssertSameManifestAsync(source.Admin, "acme/app/multi", target.Admin, "mirror/acme/app/multi", child);
        await AssertSameManifestAsync(source.Admin, "acme/app/web", target.Admin, "mirror/acme/app/web", signature);
        var referrers = await target.Admin.GetStringAsync($"/v2/mirror/acme/app/web/referrers/{image}");
        Assert.Contains(signature, referrers);
        var manifest = await source.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v2/acme/app/web/manifests/v1");
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            var digest = layer.GetProperty("digest").GetString()!;
            Assert.Equal(await source.Admin.GetByteArrayAsync($"/v2/acme/app/web/blobs/{digest}"), await target.Admin.GetByteArrayAsync($"/v2/mirror/acme/app/web/blobs/{digest}"));
        }
        // Not matching: another tag pattern, another repository pattern.
        Assert.Equal(HttpStatusCode.NotFound, (await target.Admin.GetAsync("/v2/mirror/acme/app/web/manifests/dev")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await target.Admin.GetAsync("/v2/mirror/acme/other/manifests/v1")).StatusCode);
        Assert.Equal(index, OciTestClient.DigestOf(await target.Admin.GetByteArrayAsync("/v2/mirror/acme/app/multi/manifests/v2")));
    }

    [Fact]
    public async Task PasswordsAreWriteOnlyAndStoredEncryptedAndBadRulesAreRefused()
    {
        await using var source = await AuthTestServer.StartAsync(database);
        await source.CreateOrganizationAsync("acme");
        await source.CreateUserAsync("dev");
        await source.SetMemberAsync("acme", "dev", "developer");
        using var dev = source.Basic("dev", AuthTestServer.PasswordOf("dev"));
        const string secret = "target-password-do-not-leak";
        var created = await AuthTestServer.Expect(await source.Admin.PostAsJsonAsync("/api/v1/orgs/acme/replications",
            new { repositories = "*", target = "http://127.0.0.1:9", username = "robot", password = secret }), HttpStatusCode.Created);
        Assert.True(created.GetProperty("hasPassword").GetBoolean());
        Assert.DoesNotContain(secret, created.ToString());
        Assert.DoesNotContain(secret, await dev.GetStringAsync("/api/v1/orgs/acme/replications"));
        await using (var scope = source.Server.CreateScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Set<ReplicationRuleEntity>().SingleAsync();
            Assert.NotNull(stored.ProtectedPassword);
            Assert.DoesNotContain(secret, stored.ProtectedPassword);
        }

        foreach (var (bad, reason) in new (object Rule, string Reason)[]
        {
            (new { repositories = "App", target = "http://127.0.0.1:9" }, "invalid repositories pattern"),
            (new { repositories = "*", target = "ftp://127.0.0.1:9" }, "invalid target"),
            (new { repositories = "*", target = "http://user:pw@127.0.0.1:9" }, "invalid target"),
            (new { repositories = "*", target = "http://169.254.169.254" }, "denied network"),
            (new { repositories = "*", target = "http://127.0.0.1:9", targetRepositoryPrefix = "Mirror" }, "invalid targetRepositoryPrefix"),
            (new { repositories = "*", target = "http://127.0.0.1:9", password = "x" }, "a password needs a username"),
        })
        {
            var refused = await AuthTestServer.Expect(await source.Admin.PostAsJsonAsync("/api/v1/orgs/acme/replications", bad), HttpStatusCode.BadRequest);
            Assert.Contains(reason, refused.GetProperty("detail").GetString());
        }
        await AuthTestServer.Expect(await dev.PostAsJsonAsync("/api/v1/orgs/acme/replications", new { repositories = "*", target = "http://127.0.0.1:9" }), HttpStatusCode.Forbidden);
        var id = created.GetProperty("id").GetInt64();
        await AuthTestServer.Expect(await dev.DeleteAsync($"/api/v1/orgs/acme/replications/{id}"), HttpStatusCode.Forbidden);
        await AuthTestServer.Expect(await source.Admin.DeleteAsync($"/api/v1/orgs/acme/replications/{id}"), HttpStatusCode.NoContent);
        await AuthTestServer.Expect(await source.Admin.GetAsync($"/api/v1/orgs/acme/replications/{id}"), HttpStatusCode.NotFound);
        Assert.Contains("org.replication.delete", await source.Admin.GetStringAsync("/api/v1/orgs/acme/audit"));
    }
}

public sealed class SqliteReplicationToRegistryTests() : ReplicationToRegistryTests(TestDatabase.Sqlite);
public sealed class PostgresReplicationToRegistryTests() : ReplicationToRegistryTests(TestDatabase.Postgres);
