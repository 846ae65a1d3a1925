using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Registry.Api;

namespace Registry.Tests.Operations;

/// <summary>The real registry app on Kestrel on 127.0.0.1 (port 0) with the given settings.</summary>
public sealed class OperationsHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("registry-ops-").FullName;

    private OperationsHost(IDictionary<string, string?> settings)
    {
        app = RegistryApp.Create([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Registry:DataDirectory"] = dataDirectory,
                ["Registry:Logging:Json"] = "false",
            });
            builder.Configuration.AddInMemoryCollection(settings);
        });
    }

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => app.Services;

    public static async Task<OperationsHost> StartAsync(IDictionary<string, string?> settings)
    {
        var host = new OperationsHost(settings);
        await host.app.StartAsync();
        var address = host.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        host.Client = new HttpClient { BaseAddress = new Uri(address) };
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }
}
