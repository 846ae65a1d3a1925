using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Registry.Api.Operations;
using Registry.Storage.Configuration;

namespace Registry.Api.Replication;

/// <summary>Registers push-mode replication: settings, password protection, the copier and the worker.</summary>
public static class ReplicationSetup
{
    public static WebApplicationBuilder AddReplication(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<ReplicationOptions>(ReplicationOptions.Section, options => options.Validate());
        builder.Services.AddDataProtection().SetApplicationName("registry");
        // What PersistKeysToFileSystem does, with the directory read from the settings when they are resolved.
        builder.Services.AddOptions<KeyManagementOptions>().Configure<ReplicationOptions, RegistryStorageOptions, ILoggerFactory>(
            (keys, replication, storage, logs) => keys.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(replication.KeyDirectory ?? Path.Combine(storage.DataDirectoryFullPath, "data-protection-keys")), logs));
        builder.Services.AddSingleton<ReplicationSecrets>();
        builder.Services.AddScoped<ImageCopier>();
        builder.Services.AddScoped<ReplicationPass>();
        builder.Services.AddHostedService<ReplicationWorker>();
        return builder;
    }
}
