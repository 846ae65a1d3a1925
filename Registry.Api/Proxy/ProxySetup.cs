using Microsoft.Extensions.Options;

namespace Registry.Api.Proxy;

/// <summary>Registers the pull-through cache (always: with no upstreams configured, nothing is proxied).</summary>
public static class ProxySetup
{
    public static WebApplicationBuilder AddPullThroughCache(this WebApplicationBuilder builder, string dataDirectory)
    {
        var options = builder.Configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>() ?? new();
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new OptionsValidationException(ProxyOptions.Section, typeof(ProxyOptions), problems);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<UpstreamClients>();
        builder.Services.AddSingleton(services => new BlobFetches(services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<IHostApplicationLifetime>(), services.GetRequiredService<ILogger<BlobFetches>>(),
            Path.Combine(dataDirectory, "proxy-downloads")));
        builder.Services.AddSingleton<ProxyCacheFiller>();
        builder.Services.AddSingleton<PullThroughCache>();
        return builder;
    }
}
