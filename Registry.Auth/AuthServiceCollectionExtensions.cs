using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Auth.Accounts;
using Registry.Auth.Data;
using Registry.Auth.Authentication;
using Registry.Auth.Passwords;
using Registry.Auth.Tokens;
using Registry.Storage.Metadata;

namespace Registry.Auth;

/// <summary>Registers the auth services (the HTTP wiring lives in Registry.Api/Auth).</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Adds the accounts' tables to the metadata model (<see cref="AccountsModel"/>). Call it beside
    /// <c>AddRegistryStorage</c> whether auth is on or not: the schema is the same either way.
    /// </summary>
    public static IServiceCollection AddAccountsModel(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetadataModelContribution, AccountsModel>());
        return services;
    }

    /// <summary>
    /// Adds users, permissions and tokens for the <see cref="AuthOptions"/> registered before (bound and validated
    /// by the host). The signing key is loaded (or generated under <paramref name="dataDirectory"/>) when first
    /// resolved; the host resolves it at start, so a bad key fails the start.
    /// </summary>
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services, Func<IServiceProvider, string> dataDirectory)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => SigningKeyStore.Load(provider.GetRequiredService<AuthOptions>(), dataDirectory(provider)));
        services.AddSingleton<RegistryTokenService>();
        services.AddSingleton<LoginRateLimiter>();
        services.AddSingleton(provider => new VerifiedPasswordCache(provider.GetRequiredService<TimeProvider>()));
        services.AddScoped<SubjectResolver>();
        services.AddScoped<RepositoryTargetResolver>();
        services.AddScoped<CredentialAuthenticator>();
        services.AddSingleton<External.LdapDirectory>();
        services.AddScoped<External.ExternalAccounts>();
        services.AddScoped<TokenGrantService>();
        services.AddScoped<AuditLog>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<OrganizationAccounts>();
        services.AddScoped<TeamAccounts>();
        return services;
    }
}
