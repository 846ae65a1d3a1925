using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Storage.Blobs;
using Registry.Storage.Configuration;
using Registry.Storage.GarbageCollection;
using Registry.Storage.Metadata;
using Registry.Storage.Uploads;

namespace Registry.Storage;

/// <summary>Registers the registry's storage: blob store, metadata database and upload sessions.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds storage for validated <paramref name="options"/>. The blob store defaults to the filesystem under
    /// the data directory; register another <see cref="IBlobStore"/> first to replace it.
    /// </summary>
    public static IServiceCollection AddRegistryStorage(this IServiceCollection services, RegistryStorageOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton<IBlobStore>(_ => new FileSystemBlobStore(options.DataDirectoryFullPath));
        services.AddDbContextPool<RegistryDbContext>(db => MetadataDatabase.Configure(db, options));
        services.AddSingleton(new MetadataWriteGate(serialize: options.Database.NormalizedProvider == DatabaseProviders.Sqlite));
        services.AddScoped<IMetadataStore, EfMetadataStore>();
        services.AddSingleton<UploadHashes>();
        services.AddScoped<UploadSessionService>();
        services.AddSingleton(options.Gc);
        services.AddSingleton<CollectorLock>();
        services.AddScoped<GarbageCollector>();
        return services;
    }
}
