using Registry.Storage.Blobs.Azure;
using Registry.Storage.Blobs.S3;

namespace Registry.Storage.Blobs;

/// <summary>
/// Which blob store the registry uses (<c>Registry:Storage</c>): <c>Registry__Storage__Driver</c> =
/// <c>filesystem</c> (default, under the data directory) | <c>s3</c> | <c>azure</c>, with the chosen
/// driver's own section (<c>Registry__Storage__S3__…</c>, <c>Registry__Storage__Azure__…</c>).
/// </summary>
public sealed class BlobStoreOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Registry:Storage";

    public string Driver { get; set; } = BlobStoreDrivers.Filesystem;

    public S3StoreOptions S3 { get; set; } = new();

    public AzureStoreOptions Azure { get; set; } = new();

    /// <summary>The driver name, trimmed and lower case.</summary>
    public string NormalizedDriver => (Driver ?? "").Trim().ToLowerInvariant();

    /// <summary>Every problem with the chosen driver's settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate() => NormalizedDriver switch
    {
        BlobStoreDrivers.Filesystem => [],
        BlobStoreDrivers.S3 => S3.Validate(),
        BlobStoreDrivers.Azure => Azure.Validate(),
        _ => [$"Registry:Storage:Driver is '{Driver}'; set Registry__Storage__Driver to 'filesystem', 's3' or 'azure'."],
    };

    /// <summary>The object store the settings choose, or null for the filesystem store (the storage default).</summary>
    public IBlobStore? CreateObjectStore() => NormalizedDriver switch
    {
        BlobStoreDrivers.S3 => new S3BlobStore(S3),
        BlobStoreDrivers.Azure => new AzureBlobStore(Azure),
        _ => null,
    };
}

/// <summary>The supported blob store drivers.</summary>
public static class BlobStoreDrivers
{
    public const string Filesystem = "filesystem";
    public const string S3 = "s3";
    public const string Azure = "azure";
}

/// <summary>A store whose bucket or container may have to be created before first use.</summary>
public interface IProvisionedBlobStore
{
    /// <summary>Creates the bucket or container when it does not exist; harmless when it does.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);
}
