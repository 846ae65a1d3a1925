using Registry.Storage.Blobs;
using Registry.Storage.Blobs.S3;

namespace Registry.Tests.BlobStores.S3;

/// <summary>
/// The flat-memory contract with the 64 MiB blob published by multipart (6 MiB threshold, 13 parts of
/// 5 MiB): parts stream from the staged segments, none is held in memory.
/// </summary>
[Collection(FlatMemoryCollection.Name)]
[Trait("Category", "Integration")]
public sealed class S3MultipartLargeBlobTests : LargeBlobContract
{
    protected override async Task<IBlobStore> CreateStoreAsync()
    {
        var options = ObjectStores.S3Options();
        options.MultipartThreshold = 6L * 1024 * 1024;
        options.MultipartPartSize = 5L * 1024 * 1024;
        var store = new S3BlobStore(options);
        await store.EnsureCreatedAsync(default);
        return store;
    }
}
