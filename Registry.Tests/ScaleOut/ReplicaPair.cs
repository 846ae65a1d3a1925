using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Configuration;
using Registry.Tests.BlobStores;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.ScaleOut;

/// <summary>
/// Two real registry processes' worth of app (two Kestrel servers) sharing one PostgreSQL database and
/// one object store, and nothing else: each has its own data directory and in-memory caches.
/// </summary>
public sealed class ReplicaPair : IAsyncDisposable
{
    /// <summary>How long a replica may serve a tag it cached before another replica moved it (the documented bound).</summary>
    public static readonly TimeSpan TagCacheBound = TimeSpan.FromSeconds(1);

    private ReplicaPair(RegistryServer first, RegistryServer second) => (First, Second) = (first, second);

    public RegistryServer First { get; }
    public RegistryServer Second { get; }

    public static Dictionary<string, string?> S3Settings(string bucket) => new()
    {
        ["Registry:Storage:Driver"] = "s3",
        ["Registry:Storage:S3:Endpoint"] = TestServices.S3Endpoint,
        ["Registry:Storage:S3:AccessKey"] = TestServices.S3AccessKey,
        ["Registry:Storage:S3:SecretKey"] = TestServices.S3SecretKey,
        ["Registry:Storage:S3:Bucket"] = bucket,
    };

    public static Dictionary<string, string?> AzureSettings(string container) => new()
    {
        ["Registry:Storage:Driver"] = "azure",
        ["Registry:Storage:Azure:ConnectionString"] = TestServices.AzureConnection,
        ["Registry:Storage:Azure:Container"] = container,
    };

    public static async Task<ReplicaPair> StartAsync(Dictionary<string, string?> storeSettings)
    {
        storeSettings["Registry:ManifestCacheSeconds"] = TagCacheBound.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first = await RegistryServer.StartAsync(TestDatabase.Postgres, storeSettings);
        var shared = new Dictionary<string, string?>(storeSettings)
        {
            ["Registry:Database:ConnectionString"] = first.Services.GetRequiredService<RegistryStorageOptions>().Database.ConnectionString,
        };
        var second = await RegistryServer.StartAsync(TestDatabase.Postgres, shared);
        return new ReplicaPair(first, second);
    }

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}
