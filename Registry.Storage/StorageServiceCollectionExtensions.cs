using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Storage.Blobs;
using Registry.Storage.Configuration;
using Registry.Storage.Events;
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
    public static IServiceCollection AddRegistryStorage(this IServiceCollection services, RegistryStorageOptions options, EventsOptions? events = null)
    {
        services.AddSingleton(options);
        services.AddSingleton(events ?? new EventsOptions());
        return services.AddRegistryStorage();
    }

    /// <summary>
    /// Adds storage for the <see cref="RegistryStorageOptions"/> and <see cref="EventsOptions"/> registered before
    /// (the host binds and validates them once at start); nothing is read from them until they are resolved.
    /// </summary>
    public static IServiceCollection AddRegistryStorage(this IServiceCollection services)
    {
        services.TryAddSingleton<IBlobStore>(provider =>
            new FileSystemBlobStore(provider.GetRequiredService<RegistryStorageOptions>().DataDirectoryFullPath));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EventSignal>();
        services.AddSingleton<EventCommitInterceptor>();
        services.AddSingleton<CloudEventFactory>();
        services.AddScoped<EventOrigin>();
        services.AddScoped<EventOutbox>();
        services.AddScoped<EventPruner>();
        services.AddSingleton<PullLog>();
        services.AddScoped<PullCountWriter>();
        services.AddDbContextPool<RegistryDbContext>((provider, db) =>
        {
            MetadataDatabase.Configure(db, provider.GetRequiredService<RegistryStorageOptions>(), provider.GetRequiredService<SqliteWriteGate>());
            db.AddInterceptors(provider.GetRequiredService<EventCommitInterceptor>());
            db.Include(provider.GetServices<IMetadataModelContribution>());
        });
        services.AddSingleton<SqliteWriteGate>();
        services.AddScoped<IMetadataStore, EfMetadataStore>();
        services.AddSingleton<UploadHashes>();
        services.AddScoped<UploadSessionService>();
        services.AddSingleton(provider => provider.GetRequiredService<RegistryStorageOptions>().Gc);
        services.AddSingleton<CollectorLock>();
        services.AddScoped<GarbageCollector>();
        return services;
    }
}
