using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.GarbageCollection;

/// <summary>
/// The grace period and the upload TTL are measured on the registry's injected <see cref="TimeProvider"/>: a test moves
/// the clock a day ahead instead of waiting a day, and the same collection that kept everything now sweeps it.
/// </summary>
public sealed class CollectionClockTests
{
    [Fact]
    public async Task UnreferencedBlobAndIdleUploadGoOnlyOnceTheClockPassesTheirGracePeriodAndTtl()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await GcTestServer.StartAsync(TestDatabase.Sqlite, TimeSpan.FromDays(1),
            new() { ["Registry:Gc:UploadTtl"] = "1.00:00:00" }, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("gc/clock");
        var orphan = OciTestClient.RandomBytes(10_000);
        var digest = await client.PushBlobAsync(repository, orphan);
        var upload = await client.StartUploadAsync(repository);
        using (var patch = await client.PatchChunkAsync(upload, OciTestClient.RandomBytes(1_000), "0-999"))
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);

        clock.Now += TimeSpan.FromHours(23);
        var early = await server.CollectAsync();
        Assert.Empty(early.Blobs);
        Assert.Empty(early.Uploads);
        await client.AssertBlobPullsAsync(repository, orphan);
        Assert.Equal(1, await server.QueryUploadSessionsAsync());

        clock.Now += TimeSpan.FromHours(2);
        var late = await server.CollectAsync();
        Assert.Equal([digest], late.Blobs);
        Assert.Single(late.Uploads);
        Assert.Equal(clock.Now.UtcDateTime, late.StartedAt);
        Assert.False(server.BlobFileExists(digest));
        Assert.Equal(HttpStatusCode.NotFound, await client.BlobStatusAsync(repository, digest));
        Assert.Equal(0, await server.QueryUploadSessionsAsync());
    }
}
