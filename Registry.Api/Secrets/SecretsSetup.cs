using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Registry.Api.Operations;
using Registry.Storage.Configuration;

namespace Registry.Api.Secrets;

/// <summary>Registers data protection (one key ring for the whole registry: stored secrets, and the UI's cookies and
/// antiforgery tokens), <see cref="SecretsAtRest"/> and the start-up pass that protects secrets stored in clear.</summary>
public static class SecretsSetup
{
    public static WebApplicationBuilder AddSecretsAtRest(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<SecretKeyOptions>(SecretKeyOptions.Section, options => options.Validate())
            .PostConfigure<IConfiguration>((options, configuration) => options.KeyDirectory ??= configuration[SecretKeyOptions.FormerReplicationSetting]);
        builder.Services.AddDataProtection().SetApplicationName("registry");
        // What PersistKeysToFileSystem does, with the directory read from the settings when they are resolved.
        builder.Services.AddOptions<KeyManagementOptions>().Configure<SecretKeyOptions, RegistryStorageOptions, ILoggerFactory>(
            (keys, secrets, storage, logs) => keys.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(secrets.KeyDirectory ?? Path.Combine(storage.DataDirectoryFullPath, "data-protection-keys")), logs));
        builder.Services.AddSingleton<SecretsAtRest>();
        builder.Services.AddSingleton<StoredSecretsUpgrade>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StoredSecretsUpgrade>());
        return builder;
    }
}
