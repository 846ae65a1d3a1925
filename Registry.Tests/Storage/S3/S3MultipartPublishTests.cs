using System.Globalization;
using Registry.Storage;
using Registry.Storage.Blobs;
using Registry.Storage.Blobs.S3;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Tests.BlobStores.S3;

/// <summary>
/// Publishing above the multipart threshold against the real s3rver, with a 6 MiB threshold and S3's
/// minimum 5 MiB parts so a 17 MiB blob goes up as parts of 5, 5, 5 and 2 MiB.
/// </summary>
[Trait("Category", "Integration")]
public sealed class S3MultipartPublishTests
{
    private const long MiB = 1024 * 1024;
    private const long BlobSize = 17 * MiB;

    private static S3StoreOptions SmallPartOptions()
    {
        var options = ObjectStores.S3Options();
        options.MultipartThreshold = 6 * MiB;
        options.MultipartPartSize = 5 * MiB;
        return options;
    }

    [Fact]
    public async Task PublishesAboveTheThresholdInStreamedPartsThatReadBackIdentical()
    {
        var recorder = new S3TrafficRecorder();
        using var store = await NewStoreAsync(SmallPartOptions(), recorder);
        var (uploadId, digest) = await StageAsync(store, seed: 11);

        await store.PublishUploadAsync(uploadId, digest, default);

        var parts = recorder.Requests.Where(r => r.IsPart).ToList();
        Assert.Equal([5 * MiB, 5 * MiB, 5 * MiB, 2 * MiB], parts.Select(p => p.ContentLength ?? -1));
        Assert.Single(recorder.Requests, r => r.Method == "POST" && r.PathAndQuery.EndsWith("?uploads", StringComparison.Ordinal));
        Assert.Single(recorder.Requests, r => r.Method == "POST" && r.PathAndQuery.Contains("?uploadId=", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Requests, r => r.Method == "DELETE" && r.PathAndQuery.Contains("uploadId=", StringComparison.Ordinal));
        Assert.Equal(BlobSize, await store.GetSizeAsync(digest, default));
        var (read, length) = await PatternStream.DigestOfAsync(await store.OpenReadAsync(digest, 0, null, default));
        Assert.Equal(digest, read);
        Assert.Equal(BlobSize, length);
        await Assert.ThrowsAsync<UploadNotFoundException>(() => store.OpenUploadAsync(uploadId, default));
    }

    [Fact]
    public async Task AtTheThresholdPublishesWithOnePut()
    {
        var recorder = new S3TrafficRecorder();
        using var store = await NewStoreAsync(SmallPartOptions(), recorder);
        var (uploadId, digest) = await StageAsync(store, seed: 12, size: 6 * MiB);

        await store.PublishUploadAsync(uploadId, digest, default);

        Assert.DoesNotContain(recorder.Requests, r => r.PathAndQuery.Contains("uploads", StringComparison.Ordinal) && r.Method == "POST");
        Assert.Equal(6 * MiB, await store.GetSizeAsync(digest, default));
    }

    [Fact]
    public async Task PartThatCannotBeReadAbortsTheUploadAndLeavesNoObject()
    {
        var options = SmallPartOptions();
        var recorder = new S3TrafficRecorder();
        using var store = await NewStoreAsync(options, recorder);
        var (uploadId, digest) = await StageAsync(store, seed: 13);
        // Lose the staged segment holding bytes 8-12 MiB: the second part fails half-way through its body.
        using (var direct = new S3ObjectClient(options))
            await direct.RemoveAsync(ObjectStoreLayout.UploadPrefix(uploadId) + "seg-" + (8 * MiB).ToString("D19", CultureInfo.InvariantCulture), default);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.PublishUploadAsync(uploadId, digest, default));

        AssertAborted(recorder);
        Assert.Null(await store.GetSizeAsync(digest, default));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.OpenReadAsync(digest, 0, null, default));
    }

    [Fact]
    public async Task CancelledPublishAbortsTheUploadAndLeavesNoObject()
    {
        using var cancel = new CancellationTokenSource();
        var partsSeen = 0;
        var recorder = new S3TrafficRecorder(request =>
        {
            if (request.IsPart && Interlocked.Increment(ref partsSeen) == 2) cancel.Cancel();
        });
        using var store = await NewStoreAsync(SmallPartOptions(), recorder);
        var (uploadId, digest) = await StageAsync(store, seed: 14);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PublishUploadAsync(uploadId, digest, cancel.Token));

        AssertAborted(recorder);
        Assert.Null(await store.GetSizeAsync(digest, default));
        // The session is intact: the client may retry the publish.
        var (staged, length) = await PatternStream.DigestOfAsync(await store.OpenUploadAsync(uploadId, default));
        Assert.Equal((digest, BlobSize), (staged, length));
    }

    private static void AssertAborted(S3TrafficRecorder recorder)
    {
        var complete = recorder.Requests.Where(r => r.Method == "POST" && r.PathAndQuery.Contains("?uploadId=", StringComparison.Ordinal));
        Assert.Empty(complete);
        var part = recorder.Requests.First(r => r.IsPart);
        var uploadId = part.PathAndQuery[(part.PathAndQuery.IndexOf("uploadId=", StringComparison.Ordinal) + "uploadId=".Length)..];
        Assert.Contains(recorder.Requests, r => r.Method == "DELETE" && r.PathAndQuery.EndsWith("?uploadId=" + uploadId, StringComparison.Ordinal));
    }

    private static async Task<S3BlobStore> NewStoreAsync(S3StoreOptions options, S3TrafficRecorder recorder)
    {
        var store = new S3BlobStore(options, recorder);
        await store.EnsureCreatedAsync(default);
        return store;
    }

    private static async Task<(string UploadId, Digest Digest)> StageAsync(IBlobStore store, int seed, long size = BlobSize)
    {
        var (digest, _) = await PatternStream.DigestOfAsync(new PatternStream(size, seed));
        var id = UploadIds.New();
        await store.BeginUploadAsync(id, default);
        Assert.Equal(size, await store.AppendUploadAsync(id, 0, new PatternStream(size, seed), default));
        return (id, digest);
    }
}
