using System.Net;
using System.Net.Http.Json;
using Registry.Tests.Auth.Http;
using Registry.Tests.Events;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Policies;

/// <summary>The retention rules API (who may read and set them, what is refused) and the schedule, on a real registry.</summary>
[Trait("Category", "Integration")]
public abstract class RetentionRulesTests(TestDatabase database)
{
    [Fact]
    public async Task RulesAreReplacedAsAListByMaintainersAndBadRulesAreRefusedWithTheReason()
    {
        await using var auth = await AuthTestServer.StartAsync(database);
        await auth.CreateOrganizationAsync("acme");
        await auth.CreateUserAsync("dev");
        await auth.CreateUserAsync("stranger");
        await auth.SetMemberAsync("acme", "dev", "developer");
        using var dev = auth.Basic("dev", AuthTestServer.PasswordOf("dev"));
        using var stranger = auth.Basic("stranger", AuthTestServer.PasswordOf("stranger"));
        const string rules = "/api/v1/orgs/acme/retention";

        Assert.Equal("[]", await dev.GetStringAsync(rules));
        foreach (var (bad, reason) in new (object Rule, string Reason)[]
        {
            (new { repositories = "App/*", keepLast = 1 }, "invalid repositories pattern 'App/*'"),
            (new { repositories = "*", tags = "pr 1", keepLast = 1 }, "invalid tags pattern 'pr 1'"),
            (new { repositories = "*", tags = "pr-*" }, "give keepLast, olderThanDays or untaggedOlderThanDays"),
            (new { repositories = "*", keepLast = -1 }, "keepLast must be between 0 and"),
            (new { repositories = "*", untaggedOlderThanDays = 0 }, "untaggedOlderThanDays must be between 1 and"),
        })
        {
            var refused = await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync(rules, new[] { new { repositories = "*", keepLast = 5 }, bad }), HttpStatusCode.BadRequest);
            Assert.Equal("INVALID", refused.GetProperty("code").GetString());
            Assert.StartsWith("rule 2: " + reason, refused.GetProperty("detail").GetString());
        }
        Assert.Equal("[]", await dev.GetStringAsync(rules));
        await AuthTestServer.Expect(await dev.PutAsJsonAsync(rules, new[] { new { repositories = "*", keepLast = 5 } }), HttpStatusCode.Forbidden);
        await AuthTestServer.Expect(await stranger.GetAsync(rules), HttpStatusCode.NotFound);
        await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/orgs/nobody/retention"), HttpStatusCode.NotFound);
        await AuthTestServer.Expect(await dev.PostAsync("/api/v1/retention/run?dryRun=true", null), HttpStatusCode.Forbidden);

        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync(rules, new object[]
        {
            new { repositories = "app/*", tags = "pr-*", keepLast = 10, olderThanDays = 30, untaggedOlderThanDays = 7 },
            new { repositories = "*", olderThanDays = 90 },
        }), HttpStatusCode.OK);
        var listed = await AuthTestServer.Expect(await dev.GetAsync(rules), HttpStatusCode.OK);
        Assert.Equal([1, 2], listed.EnumerateArray().Select(r => r.GetProperty("rule").GetInt32()));
        Assert.Equal("pr-*", listed[0].GetProperty("tags").GetString());
        Assert.Equal(7, listed[0].GetProperty("untaggedOlderThanDays").GetInt32());
        Assert.Equal("*", listed[1].GetProperty("tags").GetString());
        Assert.Equal("admin", listed[1].GetProperty("updatedBy").GetString());

        // A new list replaces the old one whole; an empty one removes retention.
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync(rules, new[] { new { repositories = "*", keepLast = 3 } }), HttpStatusCode.OK);
        Assert.Single((await AuthTestServer.Expect(await dev.GetAsync(rules), HttpStatusCode.OK)).EnumerateArray());
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync(rules, Array.Empty<object>()), HttpStatusCode.OK);
        Assert.Equal("[]", await dev.GetStringAsync(rules));
        var audit = await auth.Admin.GetStringAsync("/api/v1/orgs/acme/audit");
        Assert.Contains("org.retention.set", audit);
    }

    [Fact]
    public async Task ScheduleRunsRetentionThenCollectsTheReleasedBlobs()
    {
        // A zero grace period lets the collection right after retention sweep what retention released.
        await using var auth = await AuthTestServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Registry:Retention:Schedule"] = "00:00:01",
            ["Registry:Gc:GracePeriod"] = "00:00:00",
            ["Registry:Gc:DeleteUntaggedManifests"] = "false",
        });
        await auth.CreateOrganizationAsync("acme");
        var layer = OciTestClient.RandomBytes(256);
        var (_, oldDigest) = await auth.Admin.PushImageAsync("acme/ci", "build-1", layer);
        await auth.Admin.PushImageAsync("acme/ci", "build-2", OciTestClient.RandomBytes(256));
        await auth.Server.AgeTagAsync("acme/ci", "build-1", TimeSpan.FromDays(3));
        await auth.Server.AgeManifestAsync("acme/ci", oldDigest, TimeSpan.FromDays(3));
        var fixture = new LayerFiles(auth.Server.DataDirectory);
        Assert.True(fixture.Exists(OciTestClient.DigestOf(layer)));

        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/retention",
            new[] { new { repositories = "ci", tags = "build-*", keepLast = 1, untaggedOlderThanDays = 1 } }), HttpStatusCode.OK);

        for (var deadline = DateTime.UtcNow.AddSeconds(30); fixture.Exists(OciTestClient.DigestOf(layer)) && DateTime.UtcNow < deadline;)
            await Task.Delay(250);
        Assert.False(fixture.Exists(OciTestClient.DigestOf(layer)), "the scheduled run should delete build-1 and the collection its layer");
        Assert.Equal(["build-2"], await auth.Server.TagsOfAsync("acme/ci"));
        Assert.False(await auth.Server.HasManifestAsync("acme/ci", oldDigest));
        var events = await auth.Admin.AllEventsAsync("repositories=acme/ci&types=tag.deleted,manifest.deleted");
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("retention", e.GetProperty("data").GetProperty("actor").GetProperty("name").GetString()));
        var audit = await auth.Admin.GetStringAsync("/api/v1/orgs/acme/audit");
        Assert.Contains("retention.tag.delete", audit);
        Assert.Contains("retention.manifest.delete", audit);
    }

    /// <summary>Where the filesystem store keeps a blob's bytes.</summary>
    private sealed class LayerFiles(string dataDirectory)
    {
        public bool Exists(string digest) =>
            File.Exists(Path.Combine(dataDirectory, "blobs", "sha256", digest[7..9], digest[7..]));
    }
}

public sealed class SqliteRetentionRulesTests() : RetentionRulesTests(TestDatabase.Sqlite);
public sealed class PostgresRetentionRulesTests() : RetentionRulesTests(TestDatabase.Postgres);
