using Registry.Api.Operations;

namespace Registry.Api.Replication;

/// <summary>Registers push-mode replication: settings, the copier and the worker (passwords: <see cref="Secrets.SecretsAtRest"/>).</summary>
public static class ReplicationSetup
{
    public static WebApplicationBuilder AddReplication(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<ReplicationOptions>(ReplicationOptions.Section, options => options.Validate());
        builder.Services.AddScoped<ImageCopier>();
        builder.Services.AddScoped<ReplicationPass>();
        builder.Services.AddHostedService<ReplicationWorker>();
        return builder;
    }
}
