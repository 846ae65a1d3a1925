using Registry.Api.Operations;
using Registry.Storage.Configuration;

namespace Registry.Api.Proxy;

/// <summary>Registers the pull-through cache (always: with no upstreams configured, nothing is proxied).</summary>
public static class ProxySetup
{
    public static WebApplicationBuilder AddPullThroughCache(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<ProxyOptions>(ProxyOptions.Section, options => options.Validate());
        builder.Services.AddSingleton<UpstreamClients>();
        builder.Services.AddSingleton(services => new BlobFetches(services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<IHostApplicationLifetime>(), services.GetRequiredService<ILogger<BlobFetches>>(),
            Path.Combine(services.GetRequiredService<RegistryStorageOptions>().DataDirectoryFullPath, "proxy-downloads")));
        builder.Services.AddSingleton<ProxyCacheFiller>();
        builder.Services.AddSingleton<PullThroughCache>();
        return builder;
    }
}
