using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;
using Registry.Storage.Blobs;
using Registry.Storage.Configuration;

namespace Registry.Api.Operations;

/// <summary>
/// What running the registry in production needs besides the API: the configured blob store,
/// health and readiness, Prometheus metrics, console logs carrying the request id, graceful shutdown.
/// </summary>
public static class OperationsRegistration
{
    /// <summary>
    /// Registers the configured blob store (before the storage defaults, which then keep it) and the
    /// operational services. Bad storage settings stop the start (<see cref="RegistrySettings"/>) with every problem listed.
    /// </summary>
    public static WebApplicationBuilder AddRegistryOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<BlobStoreOptions>(BlobStoreOptions.SectionName, options => options.Validate());
        // A store a test (or a host) registered before stays; otherwise the settings choose, the filesystem by default.
        builder.Services.TryAddSingleton<IBlobStore>(services => services.GetRequiredService<BlobStoreOptions>().CreateObjectStore()
            ?? new FileSystemBlobStore(services.GetRequiredService<RegistryStorageOptions>().DataDirectoryFullPath));
        builder.Services.AddHostedService<BlobStoreProvisioner>(); // does nothing for a store without a bucket

        builder.Services.AddHostedService<ScheduledGarbageCollection>();

        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<BlobStoreHealthCheck>("blob-store", tags: [HealthEndpoints.ReadyTag]);

        builder.AddRegistryConsoleLogs();

        // In-flight requests get this long to finish after SIGTERM before the host stops anyway.
        var shutdown = builder.Configuration.GetValue("Registry:ShutdownTimeout", TimeSpan.FromSeconds(30));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown);
        return builder;
    }

    /// <summary>Adds the request id header, request metrics, and maps /healthz, /readyz and /metrics.</summary>
    public static WebApplication UseRegistryOperations(this WebApplication app)
    {
        app.UseMiddleware<RequestTelemetryMiddleware>();
        app.UseHttpMetrics(); // http_requests_received_total by route (endpoint) and status code
        app.MapRegistryHealth();
        StorageMetricsExporter.Start();
        app.MapMetrics("/metrics");
        return app;
    }
}
