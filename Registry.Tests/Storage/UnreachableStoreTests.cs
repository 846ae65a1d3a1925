using System.Net;
using System.Net.Sockets;
using Registry.Storage.Blobs;
using Registry.Storage.Blobs.Azure;
using Registry.Storage.Blobs.S3;
using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Tests.BlobStores;

/// <summary>A store whose server does not answer reports <see cref="StoreUnavailableException"/> (the API's 503), never something vaguer.</summary>
[Trait("Category", "Integration")]
public sealed class UnreachableStoreTests
{
    [Fact]
    public async Task S3StoreWithNoServerReportsUnavailable()
    {
        var options = ObjectStores.S3Options();
        options.Endpoint = $"127.0.0.1:{ClosedPort()}";
        using var store = new S3BlobStore(options);
        await AssertUnavailableAsync(store);
    }

    [Fact]
    public async Task AzureStoreWithNoServerReportsUnavailable()
    {
        var connection = TestServices.AzureConnection;
        var endpoint = connection.Split(';').Single(part => part.StartsWith("BlobEndpoint=", StringComparison.Ordinal));
        var dead = connection.Replace(endpoint, $"BlobEndpoint=http://127.0.0.1:{ClosedPort()}/devstoreaccount1", StringComparison.Ordinal);
        var store = new AzureBlobStore(new AzureStoreOptions { ConnectionString = dead, Container = TestServices.UniqueBucketName() });
        await AssertUnavailableAsync(store);
    }

    private static async Task AssertUnavailableAsync(IBlobStore store)
    {
        var digest = Digest.Sha256Of([1, 2, 3]);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CheckHealthAsync(default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetSizeAsync(digest, default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenReadAsync(digest, 0, null, default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.BeginUploadAsync(UploadIds.New(), default));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.AppendUploadAsync(UploadIds.New(), 0, new MemoryStream([1]), default));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => { await foreach (var _ in store.ListAsync(default)) { } });
    }

    // A port that was free a moment ago: nothing listens on it, so connections are refused at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
