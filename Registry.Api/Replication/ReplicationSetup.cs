using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Registry.Api.Replication;

/// <summary>Registers push-mode replication: settings, password protection, the copier and the worker.</summary>
public static class ReplicationSetup
{
    public static WebApplicationBuilder AddReplication(this WebApplicationBuilder builder, string dataDirectory)
    {
        var options = builder.Configuration.GetSection(ReplicationOptions.Section).Get<ReplicationOptions>() ?? new();
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new OptionsValidationException(ReplicationOptions.Section, typeof(ReplicationOptions), problems);
        builder.Services.AddSingleton(options);
        builder.Services.AddDataProtection().SetApplicationName("registry")
            .PersistKeysToFileSystem(new DirectoryInfo(options.KeyDirectory ?? Path.Combine(dataDirectory, "data-protection-keys")));
        builder.Services.AddSingleton<ReplicationSecrets>();
        builder.Services.AddScoped<ImageCopier>();
        builder.Services.AddScoped<ReplicationPass>();
        builder.Services.AddHostedService<ReplicationWorker>();
        return builder;
    }
}
