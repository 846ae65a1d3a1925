using Registry.Storage.Blobs;
using Registry.Storage.Uploads;

namespace Registry.Tests.BlobStores;

/// <summary>Memory is sampled process-wide, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FlatMemoryCollection
{
    public const string Name = "Flat memory";
}

/// <summary>
/// A 64 MiB blob goes through a store in two appends, is re-hashed, published and read back,
/// while a sampler tracks live managed memory: it must stay well below the blob's size.
/// </summary>
public abstract class LargeBlobContract
{
    private const long BlobSize = 64L * 1024 * 1024;
    private const long MemoryBudget = 32L * 1024 * 1024;

    protected abstract Task<IBlobStore> CreateStoreAsync();

    [Fact]
    public async Task LargeBlobStreamsThroughWithFlatMemory()
    {
        var store = await CreateStoreAsync();
        var (expected, _) = await PatternStream.DigestOfAsync(new PatternStream(BlobSize, seed: 7));
        using var sampler = new LiveMemorySampler();

        var id = UploadIds.New();
        await store.BeginUploadAsync(id, default);
        var source = new PatternStream(BlobSize, seed: 7);
        const long firstChunk = 40L * 1024 * 1024 + 12345; // deliberately not a multiple of any part size
        Assert.Equal(firstChunk, await store.AppendUploadAsync(id, 0, new ChunkOf(source, firstChunk), default));
        Assert.Equal(BlobSize, await store.AppendUploadAsync(id, firstChunk, source, default));
        var (staged, _) = await PatternStream.DigestOfAsync(await store.OpenUploadAsync(id, default));
        Assert.Equal(expected, staged);
        await store.PublishUploadAsync(id, expected, default);
        var (read, length) = await PatternStream.DigestOfAsync(await store.OpenReadAsync(expected, 0, null, default));

        Assert.Equal(expected, read);
        Assert.Equal(BlobSize, length);
        Assert.Equal(BlobSize, await store.GetSizeAsync(expected, default));
        Assert.True(sampler.PeakGrowth < MemoryBudget, $"live managed memory grew by {sampler.PeakGrowth / 1048576} MiB for a 64 MiB blob");
        (store as IDisposable)?.Dispose();
    }

    /// <summary>The next <c>length</c> bytes of a stream, as one PATCH body would carry them.</summary>
    private sealed class ChunkOf(Stream inner, long size) : Stream
    {
        private readonly long total = size;
        private long remaining = size;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => total;
        public override long Position { get => total - remaining; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, (int)Math.Min(count, remaining));
            remaining -= read;
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

[Collection(FlatMemoryCollection.Name)]
[Trait("Category", "Integration")]
public sealed class S3LargeBlobTests : LargeBlobContract
{
    protected override Task<IBlobStore> CreateStoreAsync() => ObjectStores.NewS3Async();
}

[Collection(FlatMemoryCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AzureLargeBlobTests : LargeBlobContract
{
    protected override Task<IBlobStore> CreateStoreAsync() => ObjectStores.NewAzureAsync();
}
