using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Registry.Api.Policies;

/// <summary>Registers the organization policies that /v2 writes consult, and the usage recount.</summary>
public static class PolicySetup
{
    public static WebApplicationBuilder AddRegistryPolicies(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<TagImmutability>();
        builder.Services.AddScoped<OrganizationUsage>();
        builder.Services.AddScoped<RepositoryPolicies>();
        builder.Services.AddHostedService<UsageRecount>();
        return builder;
    }
}
