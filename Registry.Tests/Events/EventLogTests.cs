using System.Diagnostics;
using System.Net;
using Registry.Oci;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Events;

/// <summary>The event log through the feed: what each change records, paging, filters and the long-poll.</summary>
[Trait("Category", "Integration")]
public sealed class EventLogTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("events-");

    public void Dispose() => work.Delete(recursive: true);

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task SkopeoPushRecordsRepositoryCreatedThenManifestPushedWithDigestAndTag(TestDatabase database)
    {
        await using var server = await RegistryServer.StartAsync(database);
        var image = ConformanceImages.Echo("events");
        OciLayout.Write(work.FullName, ("v1", image));
        await Skopeo.CopyAsync($"oci:{work.FullName}:v1", $"docker://{server.BaseAddress.Authority}/acme/app:v1", "--preserve-digests");

        var events = await server.Client.AllEventsAsync();
        Assert.Equal(["io.registry.repository.created", "io.registry.manifest.pushed"], events.Select(e => e.Type()));
        var pushed = events[1];
        Assert.Equal("acme/app", pushed.Subject());
        Assert.Equal(image.Digest.ToString(), pushed.DataString("digest"));
        Assert.Equal("v1", pushed.DataString("tag"));
        Assert.Equal(MediaTypes.OciManifest, pushed.DataString("mediaType"));
        Assert.Equal("1.0", pushed.GetProperty("specversion").GetString());
        Assert.Equal("anonymous", pushed.GetProperty("data").GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal("127.0.0.1", pushed.DataString("clientAddress"));
        Assert.NotEqual(events[0].GetProperty("id").GetString(), pushed.GetProperty("id").GetString());
    }

    [Fact]
    public async Task DeletesAndReferrersAreRecordedAndAFailedPushRecordsNothing()
    {
        await using var server = await RegistryServer.StartAsync(settings: new Dictionary<string, string?> { ["Registry:Events:TypePrefix"] = "com.example" });
        var client = server.Client;
        var (_, digest) = await client.PushImageAsync("team/app", "v1", OciTestClient.RandomBytes(100));
        var config = System.Text.Encoding.UTF8.GetBytes("{}");
        var configDigest = await client.PushBlobAsync("team/app", config);
        var signature = OciTestClient.ImageManifest(new { mediaType = "application/vnd.example.sig", digest = configDigest, size = config.Length }, [],
            subject: new { mediaType = MediaTypes.OciManifest, digest, size = 1 }, artifactType: "application/vnd.example.sig");
        using (var put = await client.PutManifestAsync("team/app", OciTestClient.DigestOf(signature), signature, MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var cursor = (await client.GetEventsAsync("limit=500")).Next;

        // A manifest naming a blob the repository lacks is refused: no event may announce it.
        var missing = OciTestClient.ImageManifest(new { mediaType = MediaTypes.OciConfig, digest = OciTestClient.DigestOf([1, 2, 3]), size = 3 }, []);
        using (var refused = await client.PutManifestAsync("team/app", "broken", missing, MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using (var tagDelete = await client.DeleteAsync("/v2/team/app/manifests/v1")) Assert.Equal(HttpStatusCode.Accepted, tagDelete.StatusCode);
        using (var manifestDelete = await client.DeleteAsync($"/v2/team/app/manifests/{digest}")) Assert.Equal(HttpStatusCode.Accepted, manifestDelete.StatusCode);
        using (var blobDelete = await client.DeleteAsync($"/v2/team/app/blobs/{configDigest}")) Assert.Equal(HttpStatusCode.Accepted, blobDelete.StatusCode);

        var all = await client.AllEventsAsync();
        var referrer = Assert.Single(all, e => e.Type() == "com.example.referrer.added");
        Assert.Equal(digest, referrer.DataString("subject"));
        Assert.Equal("application/vnd.example.sig", referrer.DataString("artifactType"));
        var after = await client.AllEventsAsync(after: cursor);
        Assert.Equal(["com.example.tag.deleted", "com.example.manifest.deleted", "com.example.blob.deleted"], after.Select(e => e.Type()));
        Assert.Equal("v1", after[0].DataString("tag"));
        Assert.Equal(digest, after[0].DataString("digest"));
        Assert.Equal(digest, after[1].DataString("digest"));
        Assert.Equal(configDigest, after[2].DataString("digest"));
    }

    [Fact]
    public async Task PagesFollowTheCursorAndFiltersSelectTypesAndRepositories()
    {
        await using var server = await RegistryServer.StartAsync();
        var client = server.Client;
        await client.PushImageAsync("web/front", "v1", OciTestClient.RandomBytes(10));
        await client.PushImageAsync("web/back", "v1", OciTestClient.RandomBytes(10));
        await client.PushImageAsync("db/main", "v1", OciTestClient.RandomBytes(10));

        var first = await client.GetEventsAsync("limit=2");
        Assert.Equal(2, first.Events.Count);
        var second = await client.GetEventsAsync($"after={first.Next}&limit=2");
        Assert.Equal(2, second.Events.Count);
        Assert.Empty(first.Events.Select(e => e.GetProperty("id").GetString()).Intersect(second.Events.Select(e => e.GetProperty("id").GetString())));
        Assert.Equal(6, (await client.AllEventsAsync()).Count);

        var pushes = await client.AllEventsAsync("types=manifest.pushed&repositories=web/*");
        Assert.Equal(["web/front", "web/back"], pushes.Select(e => e.Subject()));
        Assert.All(pushes, e => Assert.Equal("io.registry.manifest.pushed", e.Type()));
        var created = await client.AllEventsAsync("types=io.registry.repository.created&repositories=db/*,web/back");
        Assert.Equal(["web/back", "db/main"], created.Select(e => e.Subject()));

        using var badType = await client.GetAsync("/api/v1/events?types=image.exploded");
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
        Assert.Contains("image.exploded", await badType.Content.ReadAsStringAsync());
        using var badCursor = await client.GetAsync("/api/v1/events?after=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task ALongPollWakesWithinASecondOfAPush(TestDatabase database)
    {
        await using var server = await RegistryServer.StartAsync(database);
        var client = server.Client;
        await client.PushImageAsync("poll/app", "v1", OciTestClient.RandomBytes(10));
        var cursor = (await client.GetEventsAsync()).Next;

        var waiting = client.GetEventsAsync($"after={cursor}&wait=30&types=manifest.pushed");
        await Task.Delay(1500);
        Assert.False(waiting.IsCompleted, "the long-poll answered before anything happened");
        var (_, digest) = await client.PushImageAsync("poll/app", "v2", OciTestClient.RandomBytes(10));
        var pushed = Stopwatch.StartNew();
        var page = await waiting;
        Assert.True(pushed.Elapsed < TimeSpan.FromSeconds(1), $"woke {pushed.Elapsed.TotalMilliseconds:F0} ms after the push");
        Assert.Equal(digest, Assert.Single(page.Events).DataString("digest"));

        var quiet = Stopwatch.StartNew();
        var empty = await client.GetEventsAsync($"after={page.Next}&wait=1");
        Assert.Empty(empty.Events);
        Assert.Equal(page.Next, empty.Next);
        Assert.InRange(quiet.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }
}
