using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;
using Registry.Oci;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.GarbageCollection;

/// <summary>
/// The acceptance test: collection running in a loop with no grace period while 8 clients push (and
/// delete) images. A push may lose a race to the sweep, and must then fail cleanly (MANIFEST_BLOB_UNKNOWN) and
/// succeed when retried; afterwards every pushed image pulls intact and nothing the metadata lists lacks bytes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConcurrentCollectionTests(ITestOutputHelper output)
{
    private const int Clients = 8, ImagesPerClient = 5;

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task EveryImagePushedWhileCollectionLoopsPullsIntact(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.Zero);
        var baseLayer = OciTestClient.RandomBytes(64_000); // shared by every image: many pushes touch one row at once
        var pushed = new ConcurrentBag<(PushedImage Image, string Tag)>();
        var deleted = new ConcurrentBag<PushedImage>();
        var retries = 0;
        using var pushing = new CancellationTokenSource();

        var collections = 0;
        long blobsSwept = 0;
        var collector = Task.Run(async () =>
        {
            while (!pushing.IsCancellationRequested)
            {
                var report = await server.CollectAsync();
                Interlocked.Increment(ref collections);
                Interlocked.Add(ref blobsSwept, report.Blobs.Count);
                // A breath between rounds: with no grace period a collector that never pauses can sweep every
                // push's fresh blobs before its manifest arrives, forever (which is why the default is 24 h).
                await Task.Delay(100);
            }
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (client, _) =>
        {
            var repository = OciTestClient.UniqueRepository($"gc/loop{client}");
            for (var i = 0; i < ImagesPerClient; i++)
            {
                var image = GcImages.Build(repository, [baseLayer, OciTestClient.RandomBytes(20_000 + client * 1000 + i)]);
                Interlocked.Add(ref retries, await PushWithRetriesAsync(server.Client, image, $"v{i}"));
                // Every other image is deleted again: its unique blobs must go, the shared base must stay.
                if (i % 2 == 1)
                {
                    using var delete = await server.Client.DeleteAsync($"/v2/{repository}/manifests/{image.Digest}");
                    Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
                    deleted.Add(image);
                }
                else pushed.Add((image, $"v{i}"));
            }
        });
        pushing.Cancel();
        await collector;
        await server.CollectAsync(); // one more: the last deleted images' blobs
        output.WriteLine($"{collections} collections swept {blobsSwept} blobs; {retries} pushes lost a race and were retried");

        Assert.True(collections > 1, "the collector must have run while the clients pushed");
        foreach (var (image, tag) in pushed)
        {
            await image.AssertPullsAsync(server.Client);
            using var byTag = await server.Client.GetAsync($"/v2/{image.Repository}/manifests/{tag}");
            Assert.Equal(image.Manifest, await byTag.Content.ReadAsByteArrayAsync());
        }
        foreach (var image in deleted)
            Assert.Equal(HttpStatusCode.NotFound, await server.Client.BlobStatusAsync(image.Repository, OciTestClient.DigestOf(image.Layers[1])));
        await AssertEveryBlobRowHasBytesAsync(server);
    }

    /// <summary>Pushes blobs then the manifest; a MANIFEST_BLOB_UNKNOWN (a sweep won) re-pushes. Returns the retries.</summary>
    private static async Task<int> PushWithRetriesAsync(HttpClient client, PushedImage image, string tag)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            foreach (var blob in image.Blobs) await client.PushBlobAsync(image.Repository, blob);
            using var response = await client.PutManifestAsync(image.Repository, tag, image.Manifest, MediaTypes.OciManifest);
            if (response.StatusCode == HttpStatusCode.Created) return attempt;
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("MANIFEST_BLOB_UNKNOWN", await response.ErrorCodeAsync());
        }
        throw new Xunit.Sdk.XunitException($"{image.Digest} lost to the collector 100 times in a row");
    }

    private static async Task AssertEveryBlobRowHasBytesAsync(RegistryServer server)
    {
        await using var scope = server.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var rows = await db.Blobs.Select(b => b.Digest).ToListAsync();
        Assert.All(rows, digest => Assert.True(server.BlobFileExists(digest), $"blob row {digest} has no bytes"));
        var referenced = await db.ManifestReferences.Where(r => r.Kind == ManifestReferenceKind.Blob).Select(r => r.Digest).Distinct().ToListAsync();
        Assert.Empty(referenced.Except(rows));
    }
}
