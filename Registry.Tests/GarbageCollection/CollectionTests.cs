using System.Net;
using Registry.Oci;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.GarbageCollection;

[Trait("Category", "Integration")]
public sealed class CollectionTests
{
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task UniqueBlobsOfADeletedImageGoAfterTheGracePeriodAndSharedOnesStay(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.Zero);
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("gc/app");
        var shared = OciTestClient.RandomBytes(50_000);
        var deleted = await GcImages.PushAsync(client, repository, "old", shared, OciTestClient.RandomBytes(40_000));
        var kept = await GcImages.PushAsync(client, repository, "new", shared, OciTestClient.RandomBytes(30_000));
        using (var delete = await client.DeleteAsync($"/v2/{repository}/manifests/{deleted.Digest}"))
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);

        var report = await server.CollectAsync();

        var unique = new[] { deleted.Config, deleted.Layers[1] };
        Assert.Equal(unique.Select(OciTestClient.DigestOf).Order(), report.Blobs.Order());
        Assert.Equal(unique.Sum(b => (long)b.Length), report.BytesFreed);
        foreach (var blob in unique.Select(OciTestClient.DigestOf))
        {
            Assert.False(server.BlobFileExists(blob));
            Assert.False(await server.BlobRowExistsAsync(blob));
            Assert.Equal(HttpStatusCode.NotFound, await client.BlobStatusAsync(repository, blob));
        }
        Assert.True(server.BlobFileExists(OciTestClient.DigestOf(shared)));
        await kept.AssertPullsAsync(client);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task NothingUnreferencedGoesWithinTheGracePeriod(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.FromHours(1));
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("gc/app");
        // A blob pushed a moment ago whose manifest has not arrived yet: a push in progress.
        var pending = OciTestClient.RandomBytes(10_000);
        await client.PushBlobAsync(repository, pending);
        var deleted = await GcImages.PushAsync(client, repository, "old", OciTestClient.RandomBytes(20_000));
        using (var delete = await client.DeleteAsync($"/v2/{repository}/manifests/{deleted.Digest}"))
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);

        var report = await server.CollectAsync();

        Assert.Empty(report.Blobs);
        Assert.Equal(0, report.BytesFreed);
        await client.AssertBlobPullsAsync(repository, pending);
        foreach (var blob in deleted.Blobs) await client.AssertBlobPullsAsync(repository, blob);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task DryRunReportsWhatWouldGoWithItsBytesAndDeletesNothing(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.Zero);
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("gc/app");
        var image = await GcImages.PushAsync(client, repository, "1", OciTestClient.RandomBytes(12_345), OciTestClient.RandomBytes(6_789));
        using (var delete = await client.DeleteAsync($"/v2/{repository}/manifests/{image.Digest}"))
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var expectedDigests = image.Blobs.Select(OciTestClient.DigestOf).Order().ToList();
        var expectedBytes = image.Blobs.Sum(b => (long)b.Length);

        var dryRun = await server.CollectAsync(dryRun: true);

        Assert.True(dryRun.DryRun);
        Assert.Equal(expectedDigests, dryRun.Blobs.Order());
        Assert.Equal(expectedBytes, dryRun.BytesFreed);
        foreach (var blob in image.Blobs)
        {
            Assert.True(server.BlobFileExists(OciTestClient.DigestOf(blob)));
            await client.AssertBlobPullsAsync(repository, blob);
        }

        var real = await server.CollectAsync();
        Assert.Equal(expectedDigests, real.Blobs.Order());
        Assert.Equal(expectedBytes, real.BytesFreed);
        Assert.All(expectedDigests, digest => Assert.False(server.BlobFileExists(digest)));
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task IndexChildrenAndReferrersAreKeptWhileUnreachableUntaggedManifestsGo(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.Zero,
            new() { ["Registry:Gc:DeleteUntaggedManifests"] = "true" });
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("gc/multi");
        var amd64 = await GcImages.PushAsync(client, repository, null, OciTestClient.RandomBytes(20_000));
        var arm64 = await GcImages.PushAsync(client, repository, null, OciTestClient.RandomBytes(21_000));
        var indexDigest = await GcImages.PushIndexAsync(client, repository, "multi", amd64, arm64);
        var signature = GcImages.Build(repository, [OciTestClient.RandomBytes(500)], subject: amd64.Descriptor, artifactType: "application/vnd.example.signature");
        foreach (var blob in signature.Blobs) await client.PushBlobAsync(repository, blob);
        using (var put = await client.PutManifestAsync(repository, signature.Digest, signature.Manifest, MediaTypes.OciManifest))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var orphan = await GcImages.PushAsync(client, repository, null, OciTestClient.RandomBytes(22_000));

        var first = await server.CollectAsync();

        Assert.Equal([$"{repository}@{orphan.Digest}"], first.Manifests);
        using (var gone = await client.GetAsync($"/v2/{repository}/manifests/{orphan.Digest}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var index = await client.GetAsync($"/v2/{repository}/manifests/{indexDigest}"))
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        foreach (var image in new[] { amd64, arm64, signature }) await image.AssertPullsAsync(client);
        using (var referrers = await client.GetAsync($"/v2/{repository}/referrers/{amd64.Digest}"))
            Assert.Contains(signature.Digest, await referrers.Content.ReadAsStringAsync());

        // The orphan's blobs lost their last reference just now: they go once that is past the grace period.
        var second = await server.CollectAsync();
        Assert.Equal(orphan.Blobs.Select(OciTestClient.DigestOf).Order(), second.Blobs.Order());
        foreach (var image in new[] { amd64, arm64, signature }) await image.AssertPullsAsync(client);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task AStaleUploadSessionIsPurgedWithItsStagedBytes(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.FromHours(1),
            new() { ["Registry:Gc:UploadTtl"] = "00:00:00" });
        var client = server.Client;
        var repository = OciTestClient.UniqueRepository("gc/upload");
        using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        using var chunk = new ByteArrayContent(OciTestClient.RandomBytes(1_000));
        chunk.Headers.ContentType = new("application/octet-stream");
        using (var patch = await client.PatchAsync(location, chunk)) Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        var staging = Path.Combine(server.DataDirectory, "uploads");
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(staging));

        var report = await server.CollectAsync();

        var id = Assert.Single(report.Uploads);
        Assert.Contains(id, location);
        Assert.Equal(1_000, report.BytesFreed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
        using var status = await client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task StagingLeftWithoutASessionRowIsRemovedOnceIdlePastTheUploadTtl(TestDatabase database)
    {
        await using var server = await GcTestServer.StartAsync(database, TimeSpan.FromHours(1),
            new() { ["Registry:Gc:UploadTtl"] = "01:00:00" });
        var staging = Path.Combine(server.DataDirectory, "uploads");
        // A live session whose staging is as old keeps it: its row is younger than the TTL.
        var repository = OciTestClient.UniqueRepository("gc/orphan");
        using var start = await server.Client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        var live = start.Headers.Location!.ToString().TrimEnd('/').Split('/')[^1];
        File.SetLastWriteTimeUtc(Path.Combine(staging, live), DateTime.UtcNow.AddHours(-2));
        // As a start whose row insert failed, or a purge that lost its delete, would leave them: no session rows.
        var (idle, fresh) = (Registry.Storage.Uploads.UploadIds.New(), Registry.Storage.Uploads.UploadIds.New());
        await File.WriteAllBytesAsync(Path.Combine(staging, idle), new byte[700]);
        File.SetLastWriteTimeUtc(Path.Combine(staging, idle), DateTime.UtcNow.AddHours(-2));
        await File.WriteAllBytesAsync(Path.Combine(staging, fresh), new byte[300]);

        var dry = await server.CollectAsync(dryRun: true);
        Assert.Equal([idle], dry.Uploads);
        Assert.True(File.Exists(Path.Combine(staging, idle)));

        var report = await server.CollectAsync();
        Assert.Equal([idle], report.Uploads);
        Assert.Equal(700, report.BytesFreed);
        Assert.Equal(new[] { fresh, live }.Order(), Directory.EnumerateFileSystemEntries(staging).Select(Path.GetFileName).Order());
    }
}
