using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Registry.Api.Access;
using Registry.Api.Auth;
using Registry.Auth;
using Registry.Api.Blobs;
using Registry.Api.Errors;
using Registry.Api.Events;
using Registry.Api.Events.Delivery;
using Registry.Api.Management;
using Registry.Api.Manifests;
using Registry.Api.Operations;
using Registry.Api.Policies;
using Registry.Api.Proxy;
using Registry.Api.Replication;
using Registry.Api.Routing;
using Registry.Api.Secrets;
using Registry.Api.Ui;
using Registry.Storage;
using Registry.Storage.Configuration;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api;

/// <summary>
/// Builds the registry's web application. Program.cs runs it; tests start the same application on
/// Kestrel on loopback (http://127.0.0.1:0) with their own configuration.
/// </summary>
public static class RegistryApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root (appsettings*.json, watched for changes) is where the binaries are, not the working
        // directory: started from a large directory such as /tmp, the config watcher would walk all of it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.AddRegistryOperations(); // before the storage defaults, so a configured object store wins
        builder.AddRegistryForwardedHeaders();
        AddRegistryServices(builder);
        var app = builder.Build();
        app.Services.ValidateSettings();
        // Schema first: nothing is served from a database whose migrations did not apply.
        MetadataDatabase.InitializeAsync(app.Services, CancellationToken.None).GetAwaiter().GetResult();
        app.UseRegistryForwardedHeaders();
        app.UseRegistryOperations();
        app.UseOciErrors();
        app.Use((context, next) =>
        {
            // Every /v2 answer, errors included, says which API this is.
            if (context.Request.Path.StartsWithSegments("/v2")) context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
            return next(context);
        });
        app.UseManagementSwagger(); // whenever /api/v1 is served: the events feed always, the rest with auth on
        app.MapRegistryV2();
        app.UseRegistryAuthentication();
        app.MapRegistryEvents();
        app.MapRegistrySingleSignOn();
        app.MapRegistryUi();
        return app;
    }

    private static void AddRegistryServices(WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<RegistryStorageOptions>(RegistryStorageOptions.SectionName, options => options.Validate());
        builder.Services.AddValidatedSettings<EventsOptions>(EventsOptions.Section, options => options.Validate());

        // Blobs are streamed to storage whatever their size; manifests have their own 4 MiB cap.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.Configure<RouteOptions>(routes =>
        {
            routes.SetParameterPolicy<OciRouteConstraint>(OciRouteConstraint.Name);
            routes.SetParameterPolicy<RepositoryTagsConstraint>(RepositoryTagsConstraint.Name);
        });
        // /api/v1 answers errors as problem details, also those the framework writes (a body that is not JSON).
        builder.Services.AddProblemDetails();
        builder.Services.AddManagementSwagger();
        builder.Services.AddRegistryStorage().AddAccountsModel();
        builder.Services.AddWebhookDelivery();
        builder.Services.TryAddSingleton<IRegistryAccessPolicy, AllowAllAccessPolicy>();
        builder.AddRegistryAuthentication();
        builder.AddRegistryPolicies();
        builder.AddPullThroughCache();
        builder.AddSecretsAtRest();
        builder.AddReplication();
        builder.AddRegistryUi();
        builder.AddRegistrySingleSignOn();
        var cacheSeconds = builder.Configuration.GetValue("Registry:ManifestCacheSeconds", 5.0);
        builder.Services.AddSingleton(services => new ManifestTagCache(TimeSpan.FromSeconds(cacheSeconds), services.GetRequiredService<TimeProvider>()));
        var blobCacheSeconds = builder.Configuration.GetValue("Registry:BlobCacheSeconds", 5.0);
        builder.Services.AddSingleton(services => new BlobLinkCache(TimeSpan.FromSeconds(blobCacheSeconds), services.GetRequiredService<TimeProvider>()));
    }
}
