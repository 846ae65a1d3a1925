using System.Text;
using Registry.Storage.Blobs;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Tests.BlobStores;

/// <summary>
/// The one behaviour every <see cref="IBlobStore"/> must have; each store runs it through a subclass
/// against the real thing (a temp directory, s3rver, Azurite).
/// </summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    protected IBlobStore Store { get; private set; } = null!;

    protected abstract Task<IBlobStore> CreateStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public Task DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ChunksAppendedAtTheirOffsetsReadBackInOrder()
    {
        var id = await BeginAsync();
        Assert.Equal(5, await Store.AppendUploadAsync(id, 0, Bytes("hello"), default));
        Assert.Equal(11, await Store.AppendUploadAsync(id, 5, Bytes(" world"), default));
        Assert.Equal(11, await Store.AppendUploadAsync(id, 11, Bytes(""), default));
        Assert.Equal("hello world", await ReadAllTextAsync(await Store.OpenUploadAsync(id, default)));
    }

    [Fact]
    public async Task AppendPastTheStagedEndIsRefusedAndChangesNothing()
    {
        var id = await BeginAsync();
        await Store.AppendUploadAsync(id, 0, Bytes("abc"), default);
        var refused = await Assert.ThrowsAsync<UploadOffsetMismatchException>(() => Store.AppendUploadAsync(id, 7, Bytes("xyz"), default));
        Assert.Equal(3, refused.Actual);
        Assert.Equal("abc", await ReadAllTextAsync(await Store.OpenUploadAsync(id, default)));
    }

    [Fact]
    public async Task AppendAtAnEarlierAcknowledgedOffsetDropsTheUnacknowledgedBytes()
    {
        var id = await BeginAsync();
        await Store.AppendUploadAsync(id, 0, Bytes("abc"), default);
        await Store.AppendUploadAsync(id, 3, Bytes("lost"), default); // the caller never recorded offset 7
        Assert.Equal(6, await Store.AppendUploadAsync(id, 3, Bytes("def"), default));
        Assert.Equal("abcdef", await ReadAllTextAsync(await Store.OpenUploadAsync(id, default)));
    }

    [Fact]
    public async Task UnknownUploadIsReportedAsNotFound()
    {
        var id = UploadIds.New();
        await Assert.ThrowsAsync<UploadNotFoundException>(() => Store.AppendUploadAsync(id, 0, Bytes("x"), default));
        await Assert.ThrowsAsync<UploadNotFoundException>(() => Store.OpenUploadAsync(id, default));
        await Assert.ThrowsAsync<UploadNotFoundException>(() => Store.PublishUploadAsync(id, Digest.Sha256Of([]), default));
        await Store.DeleteUploadAsync(id, default); // no error: there is nothing to remove
    }

    [Fact]
    public async Task MalformedUploadIdIsNeverUsedAsAPath()
    {
        await Assert.ThrowsAsync<UploadNotFoundException>(() => Store.AppendUploadAsync("../../blobs/sha256", 0, Bytes("x"), default));
    }

    [Fact]
    public async Task PublishMakesTheBlobReadableAndRemovesTheStaging()
    {
        var (digest, content) = await PushAsync("published content");
        Assert.Equal(content.Length, await Store.GetSizeAsync(digest, default));
        Assert.Equal("published content", await ReadAllTextAsync(await Store.OpenReadAsync(digest, 0, null, default)));
        Assert.DoesNotContain(await UploadsAsync(), id => id == LastUploadId);
    }

    [Fact]
    public async Task RangeReadsReturnExactlyTheAskedBytes()
    {
        var (digest, _) = await PushAsync("0123456789");
        Assert.Equal("3456", await ReadAllTextAsync(await Store.OpenReadAsync(digest, 3, 4, default)));
        Assert.Equal("789", await ReadAllTextAsync(await Store.OpenReadAsync(digest, 7, null, default)));
        Assert.Equal("", await ReadAllTextAsync(await Store.OpenReadAsync(digest, 2, 0, default)));
    }

    [Fact]
    public async Task EmptyBlobCanBePublishedAndRead()
    {
        var (digest, _) = await PushAsync("");
        Assert.Equal(0, await Store.GetSizeAsync(digest, default));
        Assert.Equal("", await ReadAllTextAsync(await Store.OpenReadAsync(digest, 0, null, default)));
    }

    [Fact]
    public async Task MissingBlobHasNoSizeAndCannotBeRead()
    {
        var digest = Digest.Sha256Of(Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()));
        Assert.Null(await Store.GetSizeAsync(digest, default));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(digest, 0, null, default));
        Assert.False(await Store.DeleteAsync(digest, default));
    }

    [Fact]
    public async Task PublishingAnExistingDigestKeepsTheBlobAndDropsTheStagedCopy()
    {
        var (digest, _) = await PushAsync("same bytes");
        var second = await BeginAsync();
        await Store.AppendUploadAsync(second, 0, Bytes("same bytes"), default);
        await Store.PublishUploadAsync(second, digest, default);
        Assert.Equal("same bytes", await ReadAllTextAsync(await Store.OpenReadAsync(digest, 0, null, default)));
        Assert.DoesNotContain(await UploadsAsync(), id => id == second);
    }

    [Fact]
    public async Task ConcurrentPublishesOfOneDigestLeaveOneIntactCopy()
    {
        var content = string.Concat(Enumerable.Repeat("concurrent layer ", 5000));
        var digest = Digest.Sha256Of(Encoding.UTF8.GetBytes(content));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = await BeginAsync();
            await Store.AppendUploadAsync(id, 0, Bytes(content), default);
            ids.Add(id);
        }
        await Task.WhenAll(ids.Select(id => Task.Run(() => Store.PublishUploadAsync(id, digest, default))));
        Assert.Equal(content, await ReadAllTextAsync(await Store.OpenReadAsync(digest, 0, null, default)));
        Assert.Single(await BlobsAsync(), blob => blob.Digest == digest);
        Assert.Empty((await UploadsAsync()).Intersect(ids));
    }

    [Fact]
    public async Task DeleteRemovesThePublishedBlob()
    {
        var (digest, _) = await PushAsync("short-lived");
        Assert.True(await Store.DeleteAsync(digest, default));
        Assert.Null(await Store.GetSizeAsync(digest, default));
        Assert.DoesNotContain(await BlobsAsync(), blob => blob.Digest == digest);
    }

    [Fact]
    public async Task ListReportsEveryPublishedBlobWithItsSize()
    {
        var (first, a) = await PushAsync("first blob");
        var (second, b) = await PushAsync("the second blob");
        var listed = (await BlobsAsync()).ToDictionary(blob => blob.Digest);
        Assert.Equal(a.Length, listed[first].Size);
        Assert.Equal(b.Length, listed[second].Size);
        Assert.InRange(listed[first].LastModified, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(10));
    }

    [Fact]
    public async Task DeletingAnUploadPurgesItsStagedBytes()
    {
        var kept = await BeginAsync();
        var purged = await BeginAsync();
        await Store.AppendUploadAsync(purged, 0, Bytes("abandoned"), default);
        var uploads = await UploadsAsync();
        Assert.Contains(kept, uploads);
        Assert.Contains(purged, uploads);
        await Store.DeleteUploadAsync(purged, default);
        Assert.DoesNotContain(purged, await UploadsAsync());
        await Assert.ThrowsAsync<UploadNotFoundException>(() => Store.OpenUploadAsync(purged, default));
        Assert.Contains(kept, await UploadsAsync());
    }

    [Fact]
    public async Task HealthCheckPassesWhenTheStoreAnswers() => await Store.CheckHealthAsync(default);

    protected string LastUploadId { get; private set; } = "";

    protected async Task<string> BeginAsync()
    {
        var id = UploadIds.New();
        await Store.BeginUploadAsync(id, default);
        return LastUploadId = id;
    }

    /// <summary>Stages, verifies and publishes <paramref name="text"/> the way the API does.</summary>
    protected async Task<(Digest Digest, byte[] Content)> PushAsync(string text)
    {
        var content = Encoding.UTF8.GetBytes(text);
        var id = await BeginAsync();
        await Store.AppendUploadAsync(id, 0, new MemoryStream(content), default);
        var (digest, _) = await PatternStream.DigestOfAsync(await Store.OpenUploadAsync(id, default));
        Assert.Equal(Digest.Sha256Of(content), digest);
        await Store.PublishUploadAsync(id, digest, default);
        return (digest, content);
    }

    protected async Task<List<string>> UploadsAsync()
    {
        var ids = new List<string>();
        await foreach (var staged in Store.ListUploadsAsync(default)) ids.Add(staged.Id);
        return ids;
    }

    protected async Task<List<StoredBlob>> BlobsAsync()
    {
        var blobs = new List<StoredBlob>();
        await foreach (var blob in Store.ListAsync(default)) blobs.Add(blob);
        return blobs;
    }

    protected static Stream Bytes(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    protected static async Task<string> ReadAllTextAsync(Stream stream)
    {
        await using (stream)
        using (var reader = new StreamReader(stream, Encoding.UTF8))
            return await reader.ReadToEndAsync();
    }
}
