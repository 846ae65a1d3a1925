using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Registry.Api.Access;
using Registry.Api.Management;
using Registry.Auth;
using Registry.Auth.Accounts;
using Registry.Storage.Configuration;

namespace Registry.Api.Auth;

/// <summary>
/// Wires auth into the app when <c>Registry:Auth:Enabled</c> is true: the token access policy replaces the
/// allow-all one, and /token and the /api/v1 management routes are mapped. With auth off nothing changes.
/// </summary>
public static class AuthSetup
{
    /// <summary>Call after the registry's own services are added (it replaces their access policy).</summary>
    public static void AddRegistryAuthentication(this WebApplicationBuilder builder, RegistryStorageOptions storage)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();
        if (!options.Enabled) return;
        var problems = options.Validate().ToList();
        // Replicas share the database; with PostgreSQL they must also share the key that signs tokens (decision 003).
        if (storage.Database.NormalizedProvider == DatabaseProviders.Postgres && string.IsNullOrWhiteSpace(options.SigningKeyPath))
            problems.Add("Registry:Auth:SigningKeyPath is required with Registry:Database:Provider 'postgres': set Registry__Auth__SigningKeyPath to a key file every replica reads (created there on first start when missing)");
        if (problems.Count > 0) throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), problems);
        builder.Services.AddRegistryAuth(options, storage.DataDirectoryFullPath);
        builder.Services.AddScoped<RequestAuthenticator>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryAccessPolicy, TokenAccessPolicy>());
    }

    /// <summary>Creates the bootstrap admin and maps the auth endpoints; call after migrations ran.</summary>
    public static void UseRegistryAuthentication(this WebApplication app)
    {
        if (app.Services.GetService<AuthOptions>() is not { Enabled: true }) return;
        BootstrapAdmin.EnsureAsync(app.Services, CancellationToken.None).GetAwaiter().GetResult();
        app.MapTokenEndpoints();
        app.MapManagementApi();
    }
}
