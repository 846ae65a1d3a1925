using Registry.Storage.Blobs;
using Registry.Storage.Blobs.Azure;
using Registry.Storage.Blobs.S3;

namespace Registry.Tests.BlobStores;

/// <summary>Stores on the test servers, each in a bucket or container of its own.</summary>
public static class ObjectStores
{
    public static S3StoreOptions S3Options(string? bucket = null) => new()
    {
        Endpoint = TestServices.S3Endpoint,
        AccessKey = TestServices.S3AccessKey,
        SecretKey = TestServices.S3SecretKey,
        Bucket = bucket ?? TestServices.UniqueBucketName(),
    };

    public static AzureStoreOptions AzureOptions(string? container = null) => new()
    {
        ConnectionString = TestServices.AzureConnection,
        Container = container ?? TestServices.UniqueBucketName(),
    };

    public static async Task<IBlobStore> NewS3Async()
    {
        var store = new S3BlobStore(S3Options());
        await store.EnsureCreatedAsync(default);
        return store;
    }

    public static async Task<IBlobStore> NewAzureAsync()
    {
        var store = new AzureBlobStore(AzureOptions());
        await store.EnsureCreatedAsync(default);
        return store;
    }
}

[Trait("Category", "Integration")]
public sealed class S3BlobStoreContractTests : BlobStoreContract
{
    protected override Task<IBlobStore> CreateStoreAsync() => ObjectStores.NewS3Async();
}

[Trait("Category", "Integration")]
public sealed class AzureBlobStoreContractTests : BlobStoreContract
{
    protected override Task<IBlobStore> CreateStoreAsync() => ObjectStores.NewAzureAsync();
}

public sealed class FileSystemBlobStoreContractTests : BlobStoreContract, IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("registry-fs-contract-");

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new FileSystemBlobStore(root.FullName));

    public void Dispose() => root.Delete(recursive: true);
}

[Collection(FlatMemoryCollection.Name)]
public sealed class FileSystemLargeBlobTests : LargeBlobContract, IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("registry-fs-large-");

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new FileSystemBlobStore(root.FullName));

    public void Dispose() => root.Delete(recursive: true);
}
