using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Auth.Accounts;
using Registry.Auth.Authentication;
using Registry.Auth.Tokens;

namespace Registry.Auth;

/// <summary>Registers the auth services (the HTTP wiring lives in Registry.Api/Auth).</summary>
public static class AuthServiceCollectionExtensions
{
    /// <summary>Adds users, permissions and tokens for validated <paramref name="options"/>; the signing key is
    /// loaded (or generated under <paramref name="dataDirectory"/>) now, so a bad key fails the start.</summary>
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services, AuthOptions options, string dataDirectory)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(SigningKeyStore.Load(options, dataDirectory));
        services.AddSingleton<RegistryTokenService>();
        services.AddSingleton<LoginRateLimiter>();
        services.AddScoped<SubjectResolver>();
        services.AddScoped<RepositoryTargetResolver>();
        services.AddScoped<CredentialAuthenticator>();
        services.AddSingleton<External.LdapDirectory>();
        services.AddScoped<External.ExternalAccounts>();
        services.AddScoped<TokenGrantService>();
        services.AddScoped<AuditLog>();
        return services;
    }
}
