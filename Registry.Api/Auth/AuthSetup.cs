using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Registry.Api.Access;
using Registry.Api.Management;
using Registry.Api.Operations;
using Registry.Auth;
using Registry.Auth.Accounts;
using Registry.Auth.Tokens;
using Registry.Storage.Configuration;

namespace Registry.Api.Auth;

/// <summary>
/// Wires auth into the app when <c>Registry:Auth:Enabled</c> is true: the token access policy replaces the
/// allow-all one, and /token and the /api/v1 management routes are mapped. With auth off nothing changes.
/// </summary>
public static class AuthSetup
{
    /// <summary>Call after the registry's own services are added (it replaces their access policy).</summary>
    public static void AddRegistryAuthentication(this WebApplicationBuilder builder)
    {
        // A switch decides what is registered; the settings themselves are bound and checked once at start.
        if (!builder.Configuration.GetValue<bool>($"{AuthOptions.Section}:Enabled")) return;
        builder.Services.AddValidatedSettings<AuthOptions>(AuthOptions.Section, options => options.Validate());
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, SharedSigningKeyRule>();
        builder.Services.AddRegistryAuth(services => services.GetRequiredService<RegistryStorageOptions>().DataDirectoryFullPath);
        builder.Services.AddScoped<RequestAuthenticator>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryAccessPolicy, TokenAccessPolicy>());
    }

    /// <summary>Creates the bootstrap admin and maps the auth endpoints; call after migrations ran.</summary>
    public static void UseRegistryAuthentication(this WebApplication app)
    {
        if (app.Services.GetService<AuthOptions>() is not { Enabled: true }) return;
        app.Services.GetRequiredService<SigningKeyStore>(); // loads (or creates) the key now: a bad key stops the start
        BootstrapAdmin.EnsureAsync(app.Services, CancellationToken.None).GetAwaiter().GetResult();
        app.MapTokenEndpoints();
        app.MapManagementApi();
    }
}

/// <summary>Replicas share the database; with PostgreSQL they must also share the key that signs tokens (decision 003).</summary>
internal sealed class SharedSigningKeyRule(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        // The provider is read as a switch: its own validation (RegistryStorageOptions) reports a bad value.
        string.Equals(configuration[$"{RegistryStorageOptions.SectionName}:Database:Provider"]?.Trim(), DatabaseProviders.Postgres, StringComparison.OrdinalIgnoreCase)
        && string.IsNullOrWhiteSpace(options.SigningKeyPath)
            ? ValidateOptionsResult.Fail("Registry:Auth:SigningKeyPath is required with Registry:Database:Provider 'postgres': set Registry__Auth__SigningKeyPath to a key file every replica reads (created there on first start when missing)")
            : ValidateOptionsResult.Success;
}
