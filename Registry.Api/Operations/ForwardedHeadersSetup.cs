using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Registry.Api.Operations;

/// <summary>
/// Configuration section <c>Registry:ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c>,
/// <c>-Proto</c> and <c>-Host</c> are believed (<c>Registry__ForwardedHeaders__KnownProxies__0=10.0.0.5</c>,
/// <c>Registry__ForwardedHeaders__KnownNetworks__0=172.16.0.0/12</c>). Empty (the default) trusts nobody: a client
/// could otherwise pick the address that failed logins, audit entries and challenges are attributed to.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "Registry:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR) of trusted proxies.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool TrustsAnyProxy => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    /// <summary>Problems that must stop the start, each naming its environment variable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        for (var i = 0; i < KnownProxies.Length; i++)
            if (!IPAddress.TryParse(KnownProxies[i], out _))
                problems.Add($"Registry__ForwardedHeaders__KnownProxies__{i} is '{KnownProxies[i]}', which is not an IP address");
        for (var i = 0; i < KnownNetworks.Length; i++)
            if (!System.Net.IPNetwork.TryParse(KnownNetworks[i], out _))
                problems.Add($"Registry__ForwardedHeaders__KnownNetworks__{i} is '{KnownNetworks[i]}', which is not a network in CIDR form (e.g. 172.16.0.0/12)");
        return problems;
    }
}

/// <summary>Wires <see cref="ForwardedHeadersSettings"/> into ASP.NET Core's forwarded-headers middleware.</summary>
public static class ForwardedHeadersSetup
{
    public static void AddRegistryForwardedHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<ForwardedHeadersSettings>(ForwardedHeadersSettings.Section, settings => settings.Validate());
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<ForwardedHeadersSettings>((options, settings) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // The framework trusts loopback by default; here nothing is trusted unless configured.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies) options.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in settings.KnownNetworks) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            // Walk X-Forwarded-For back through every trusted proxy to the first address that is not one.
            options.ForwardLimit = null;
        });
    }

    /// <summary>First in the pipeline, so logs, metrics, rate limits, audit and challenges all see the real client.</summary>
    public static void UseRegistryForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ForwardedHeadersSettings>().TrustsAnyProxy) app.UseForwardedHeaders();
    }
}
