using System.Text;
using Registry.Storage.Blobs;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Tests.Core;

public sealed class FileSystemBlobStoreTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"fs-store-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("../../etc")]
    [InlineData("..")]
    [InlineData("0123456789abcdef0123456789abcdef/../x")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789")]
    public async Task UploadIdsThatAreNotSessionIdsNeverBecomePaths(string uploadId)
    {
        var store = new FileSystemBlobStore(root);
        await Assert.ThrowsAsync<UploadNotFoundException>(() => store.BeginUploadAsync(uploadId, default));
        await Assert.ThrowsAsync<UploadNotFoundException>(() => store.DeleteUploadAsync(uploadId, default));
    }

    [Fact]
    public async Task AppendAtTheWrongOffsetIsRefused()
    {
        var store = new FileSystemBlobStore(root);
        var id = UploadIds.New();
        await store.BeginUploadAsync(id, default);
        Assert.Equal(3, await store.AppendUploadAsync(id, 0, new MemoryStream("abc"u8.ToArray()), default));
        await Assert.ThrowsAsync<UploadOffsetMismatchException>(() => store.AppendUploadAsync(id, 10, new MemoryStream("x"u8.ToArray()), default));
    }

    [Fact]
    public async Task PublishingTheSameDigestTwiceKeepsOneIntactCopy()
    {
        var store = new FileSystemBlobStore(root);
        var content = Encoding.UTF8.GetBytes("same content");
        var digest = Digest.Sha256Of(content);
        var ids = new[] { UploadIds.New(), UploadIds.New() };
        foreach (var id in ids)
        {
            await store.BeginUploadAsync(id, default);
            await store.AppendUploadAsync(id, 0, new MemoryStream(content), default);
        }
        await Task.WhenAll(ids.Select(id => store.PublishUploadAsync(id, digest, default)));
        Assert.Equal(content, await File.ReadAllBytesAsync(store.PathOf(digest)));
        Assert.Empty(await store.ListUploadsAsync(default).ToListAsync());
        Assert.Single(await store.ListAsync(default).ToListAsync());
    }

    [Fact]
    public async Task APublishedOrCancelledUploadLeavesNoStagingBehind()
    {
        var store = new FileSystemBlobStore(root);
        var (published, cancelled) = (UploadIds.New(), UploadIds.New());
        foreach (var id in new[] { published, cancelled }) await store.BeginUploadAsync(id, default);
        await store.AppendUploadAsync(published, 0, new MemoryStream("blob"u8.ToArray()), default);
        await store.PublishUploadAsync(published, Digest.Sha256Of("blob"u8.ToArray()), default);
        await store.DeleteUploadAsync(cancelled, default);
        await store.DeleteUploadAsync(cancelled, default); // twice: no error

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "uploads")));
        Assert.Empty(await store.ListUploadsAsync(default).ToListAsync());
    }

    [Fact]
    public async Task RangeReadReturnsOnlyTheSlice()
    {
        var store = new FileSystemBlobStore(root);
        var content = Encoding.UTF8.GetBytes("0123456789");
        var digest = Digest.Sha256Of(content);
        var id = UploadIds.New();
        await store.BeginUploadAsync(id, default);
        await store.AppendUploadAsync(id, 0, new MemoryStream(content), default);
        await store.PublishUploadAsync(id, digest, default);
        await using var slice = await store.OpenReadAsync(digest, 2, 3, default);
        using var copy = new MemoryStream();
        await slice.CopyToAsync(copy);
        Assert.Equal("234", Encoding.UTF8.GetString(copy.ToArray()));
    }

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}
