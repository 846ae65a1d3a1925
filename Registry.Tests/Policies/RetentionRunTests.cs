using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Registry.Oci;
using Registry.Tests.Auth.Http;
using Registry.Tests.Events;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Policies;

/// <summary>Retention rules run through the real management API against content pushed over the real /v2 API.</summary>
[Trait("Category", "Integration")]
public abstract class RetentionRunTests(TestDatabase database)
{
    private const string App = "acme/app";

    [Fact]
    public async Task RunDeletesWhatTheRulesSelectKeepsImmutableAndReachableAndDryRunChangesNothing()
    {
        await using var auth = await AuthTestServer.StartAsync(database);
        var server = auth.Server;
        await auth.CreateOrganizationAsync("acme");
        var digests = new Dictionary<string, string>();
        foreach (var tag in new[] { "pr-1", "pr-2", "pr-3", "pr-4", "pr-5", "v1", "rc-1", "rc-2" })
            digests[tag] = (await auth.Admin.PushImageAsync(App, tag, OciTestClient.RandomBytes(64))).Digest;
        var (_, otherDigest) = await auth.Admin.PushImageAsync("acme/other", "pr-1", OciTestClient.RandomBytes(64));
        await server.AgeTagAsync("acme/other", "pr-1", TimeSpan.FromDays(50));
        // Ranked by push time: pr-5, pr-4 (kept: the 2 most recent), pr-3 (beyond, but young), pr-2 and pr-1 (beyond and old).
        await server.AgeTagAsync(App, "pr-1", TimeSpan.FromDays(50));
        await server.AgeTagAsync(App, "pr-2", TimeSpan.FromDays(45));
        await server.AgeTagAsync(App, "pr-3", TimeSpan.FromHours(2));
        await server.AgeTagAsync(App, "pr-4", TimeSpan.FromHours(1));
        await server.AgeTagAsync(App, "v1", TimeSpan.FromDays(60));
        await server.AgeTagAsync(App, "rc-1", TimeSpan.FromHours(1));
        // pr-1's manifest is old too: once its tag goes, the untagged rule takes it in the same run; pr-2's is young and stays.
        await server.AgeManifestAsync(App, digests["pr-1"], TimeSpan.FromDays(50));
        var oldUntagged = await PushUntaggedAsync(auth, TimeSpan.FromDays(10));
        var youngUntagged = await PushUntaggedAsync(auth, TimeSpan.FromDays(3));
        var (childA, childB) = (await PushUntaggedAsync(auth, TimeSpan.FromDays(10)), await PushUntaggedAsync(auth, TimeSpan.FromDays(10)));
        await PushIndexAsync(auth, "multi", childA, childB);
        var signature = await auth.Admin.PushReferrerAsync(App, digests["v1"]);
        await server.AgeManifestAsync(App, signature, TimeSpan.FromDays(10));

        await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/tag-rules", new { repositories = "*", tags = "v*" }), HttpStatusCode.Created);
        await AuthTestServer.Expect(await auth.Admin.PutAsJsonAsync("/api/v1/orgs/acme/retention", new object[]
        {
            new { repositories = "app", tags = "pr-*", keepLast = 2, olderThanDays = 30 },
            new { repositories = "app", tags = "v*", olderThanDays = 30 },
            new { repositories = "app", tags = "rc-*", keepLast = 1 },
            new { repositories = "app*", untaggedOlderThanDays = 7 },
        }), HttpStatusCode.OK);

        var before = await server.TagsOfAsync(App);
        var dry = await AuthTestServer.Expect(await auth.Admin.PostAsync("/api/v1/retention/run?dryRun=true", null), HttpStatusCode.OK);
        AssertSelection(dry);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal(before, await server.TagsOfAsync(App));
        Assert.True(await server.HasManifestAsync(App, oldUntagged));

        var cursor = (await auth.Admin.AllEventsAsync()).Last().GetProperty("sequence").GetString()!;
        var run = await AuthTestServer.Expect(await auth.Admin.PostAsync("/api/v1/retention/run?dryRun=false", null), HttpStatusCode.OK);
        AssertSelection(run);
        Assert.Equal(["multi", "pr-3", "pr-4", "pr-5", "rc-2", "v1"], (await server.TagsOfAsync(App)).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await auth.Admin.GetAsync($"/v2/{App}/manifests/pr-1")).StatusCode);
        Assert.False(await server.HasManifestAsync(App, oldUntagged));
        Assert.False(await server.HasManifestAsync(App, digests["pr-1"]));
        foreach (var kept in new[] { digests["pr-2"], youngUntagged, childA, childB, signature })
            Assert.True(await server.HasManifestAsync(App, kept), $"{kept} should stay");
        Assert.True(await server.HasManifestAsync("acme/other", otherDigest));
        Assert.Contains("pr-1", await server.TagsOfAsync("acme/other"));

        // Each deletion is an event in the log, by the administrator who ran it, and an audit entry.
        var events = await auth.Admin.AllEventsAsync($"repositories={App}&types=tag.deleted,manifest.deleted", after: cursor);
        Assert.Equal(["pr-1", "pr-2", "rc-1"], events.Where(e => e.Type().EndsWith("tag.deleted")).Select(e => e.DataString("tag")).Order());
        Assert.Equal(new[] { digests["pr-1"], oldUntagged }.Order(), events.Where(e => e.Type().EndsWith("manifest.deleted")).Select(e => e.DataString("digest")).Order());
        Assert.All(events, e => Assert.Equal("admin", e.GetProperty("data").GetProperty("actor").GetProperty("name").GetString()));
        var audit = await AuthTestServer.Expect(await auth.Admin.GetAsync("/api/v1/orgs/acme/audit"), HttpStatusCode.OK);
        var actions = audit.EnumerateArray().Select(e => (Action: e.GetProperty("action").GetString(), Target: e.GetProperty("target").GetString())).ToList();
        Assert.Contains(("retention.tag.delete", $"{App}:pr-2"), actions);
        Assert.Contains(("retention.manifest.delete", $"{App}@{oldUntagged}"), actions);
        Assert.Equal(3, actions.Count(a => a.Action == "retention.tag.delete"));

        // Nothing is left to do: a second run deletes nothing.
        var again = await AuthTestServer.Expect(await auth.Admin.PostAsync("/api/v1/retention/run", null), HttpStatusCode.OK);
        Assert.Empty(again.GetProperty("tags").EnumerateArray());
        Assert.Empty(again.GetProperty("manifests").EnumerateArray());

        void AssertSelection(JsonElement report)
        {
            Assert.Equal(["pr-1", "pr-2", "rc-1"], report.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("tag").GetString()).Order());
            Assert.All(report.GetProperty("tags").EnumerateArray(), t => Assert.Equal(App, t.GetProperty("repository").GetString()));
            Assert.Equal(3, report.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("tag").GetString() == "rc-1").GetProperty("rule").GetInt32());
            Assert.Equal(new[] { digests["pr-1"], oldUntagged }.Order(),
                report.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString()).Order());
            var kept = Assert.Single(report.GetProperty("protected").EnumerateArray());
            Assert.Equal("v1", kept.GetProperty("tag").GetString());
            Assert.Contains("of 'acme': repositories '*', tags 'v*'", kept.GetProperty("immutableRule").GetString());
        }
    }

    /// <summary>Pushes an image under a throwaway tag and removes the tag, leaving an untagged manifest of that age.</summary>
    private static async Task<string> PushUntaggedAsync(AuthTestServer auth, TimeSpan age)
    {
        var scratch = $"scratch-{Guid.NewGuid():N}";
        var (_, digest) = await auth.Admin.PushImageAsync(App, scratch, OciTestClient.RandomBytes(64));
        Assert.Equal(HttpStatusCode.Accepted, (await auth.Admin.DeleteAsync($"/v2/{App}/manifests/{scratch}")).StatusCode);
        await auth.Server.AgeManifestAsync(App, digest, age);
        return digest;
    }

    private static async Task PushIndexAsync(AuthTestServer auth, string tag, params string[] children)
    {
        var manifests = new List<object>();
        foreach (var child in children)
        {
            var bytes = await auth.Admin.GetByteArrayAsync($"/v2/{App}/manifests/{child}");
            manifests.Add(new { mediaType = MediaTypes.OciManifest, digest = child, size = bytes.Length, platform = new { architecture = "amd64", os = "linux" } });
        }
        var index = JsonSerializer.SerializeToUtf8Bytes(new { schemaVersion = 2, mediaType = MediaTypes.OciIndex, manifests });
        using var response = await auth.Admin.PutManifestAsync(App, tag, index, MediaTypes.OciIndex);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

public sealed class SqliteRetentionRunTests() : RetentionRunTests(TestDatabase.Sqlite);
public sealed class PostgresRetentionRunTests() : RetentionRunTests(TestDatabase.Postgres);
