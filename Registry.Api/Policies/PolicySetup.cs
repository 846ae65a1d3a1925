using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Api.Operations;
using Registry.Api.Policies.Retention;
using Registry.Storage.GarbageCollection;
using Registry.Storage.Policies;

namespace Registry.Api.Policies;

/// <summary>Registers the organization policies that /v2 writes consult, the usage recount and retention.</summary>
public static class PolicySetup
{
    public static WebApplicationBuilder AddRegistryPolicies(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<TagImmutability>();
        builder.Services.AddScoped<OrganizationUsage>();
        builder.Services.AddScoped<RepositoryPolicies>();
        builder.Services.AddHostedService<UsageRecount>();

        builder.Services.AddValidatedSettings<RetentionOptions>(RetentionOptions.Section, options => options.Validate());
        builder.Services.AddScoped<TagSweeper>();
        builder.Services.AddScoped<ManifestSweeper>();
        builder.Services.AddScoped<RetentionRunner>();
        builder.Services.AddHostedService<ScheduledRetention>();
        return builder;
    }
}
