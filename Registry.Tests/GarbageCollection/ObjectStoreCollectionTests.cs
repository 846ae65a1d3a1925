using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Blobs;
using Registry.Oci;
using Registry.Storage.Uploads;
using Registry.Tests.BlobStores;
using Registry.Tests.Infrastructure;
using Registry.Tests.ScaleOut;

namespace Registry.Tests.GarbageCollection;

/// <summary>Collection against the object stores: swept blobs and purged uploads leave no bytes in s3rver or Azurite.</summary>
[Trait("Category", "Integration")]
public sealed class ObjectStoreCollectionTests
{
    [Theory]
    [InlineData("s3")]
    [InlineData("azure")]
    public async Task SweptBlobsAndPurgedUploadsLeaveNoBytesInTheObjectStore(string driver)
    {
        var bucket = TestServices.UniqueBucketName();
        var settings = driver == "s3" ? ReplicaPair.S3Settings(bucket) : ReplicaPair.AzureSettings(bucket);
        settings["Registry:Gc:UploadTtl"] = "00:00:00";
        await using var server = await GcTestServer.StartAsync(TestDatabase.Postgres, TimeSpan.Zero, settings);
        var client = server.Client;
        var store = server.Services.GetRequiredService<IBlobStore>();
        var repository = OciTestClient.UniqueRepository("gc/objects");
        var shared = OciTestClient.RandomBytes(30_000);
        var deleted = await GcImages.PushAsync(client, repository, "old", shared, OciTestClient.RandomBytes(40_000));
        var kept = await GcImages.PushAsync(client, repository, "new", shared);
        using (var delete = await client.DeleteAsync($"/v2/{repository}/manifests/{deleted.Digest}"))
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        var location = start.Headers.Location!.ToString();
        using var chunk = new ByteArrayContent(OciTestClient.RandomBytes(7_000));
        chunk.Headers.ContentType = new("application/octet-stream");
        using (var patch = await client.PatchAsync(location, chunk)) Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        var uploadId = location.TrimEnd('/').Split('/')[^1].Split('?')[0];
        Assert.Contains(uploadId, await store.ListUploadsAsync(default).Select(u => u.Id).ToListAsync());
        // Staging with no session row (a start whose row insert failed): removed too, its bytes counted.
        var orphan = UploadIds.New();
        await store.BeginUploadAsync(orphan, default);
        await store.AppendUploadAsync(orphan, 0, new MemoryStream(OciTestClient.RandomBytes(2_000)), default);

        var report = await server.CollectAsync();

        var unique = new[] { deleted.Config, deleted.Layers[1] }.Select(OciTestClient.DigestOf).ToList();
        Assert.Equal(unique.Order(), report.Blobs.Order());
        Assert.Equal(new[] { uploadId, orphan }.Order(), report.Uploads.Order());
        foreach (var digest in unique) Assert.Null(await store.GetSizeAsync(Digest.Parse(digest), default));
        Assert.Equal(shared.Length, await store.GetSizeAsync(Digest.Parse(OciTestClient.DigestOf(shared)), default));
        Assert.Empty(await store.ListUploadsAsync(default).ToListAsync());
        await kept.AssertPullsAsync(client);
    }
}
