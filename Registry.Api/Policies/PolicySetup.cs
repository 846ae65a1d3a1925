using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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

        var retention = builder.Configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new();
        var problems = retention.Validate().ToList();
        if (problems.Count > 0) throw new OptionsValidationException(RetentionOptions.Section, typeof(RetentionOptions), problems);
        builder.Services.AddSingleton(retention);
        builder.Services.AddScoped<TagSweeper>();
        builder.Services.AddScoped<ManifestSweeper>();
        builder.Services.AddScoped<RetentionRunner>();
        builder.Services.AddHostedService<ScheduledRetention>();
        return builder;
    }
}
