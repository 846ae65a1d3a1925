using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// Real clients against the registry with auth on: skopeo (token auth with --creds) and the runtime agent
/// (login with a robot account, then pull). Each gets a private repository of organization <c>acme</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RealClientTests : IAsyncLifetime
{
    private AuthTestServer auth = null!;
    private readonly string work = Directory.CreateTempSubdirectory("auth-clients-").FullName;
    private string Host => $"127.0.0.1:{auth.Server.BaseAddress.Port}";

    public async Task InitializeAsync()
    {
        auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite);
        await auth.CreateOrganizationAsync("acme");
        await auth.CreateOrganizationAsync("globex");
        await auth.CreateUserAsync("dev");
        await auth.SetMemberAsync("acme", "dev", "developer");
        await auth.CreateTeamAsync("acme", "apps", "app", ["pull", "push"], "dev");
        await auth.CreateUserAsync("rival");
        await auth.SetMemberAsync("globex", "rival", "owner");
    }

    public async Task DisposeAsync()
    {
        await auth.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task SkopeoPushesAndPullsAPrivateRepositoryWithCredentialsAndIsRefusedOtherwise()
    {
        var layout = Path.Combine(work, "layout");
        OciLayout.Write(layout, ("v1", ImageBuilder.FromBusybox().Layer(l => l.File("app/hello.txt", "hi")).Build()));
        var target = $"docker://{Host}/acme/app:1.0";

        await ExternalTool.RunAsync("skopeo", ["copy", "--dest-tls-verify=false", "--dest-creds", $"dev:{AuthTestServer.PasswordOf("dev")}", $"oci:{layout}:v1", target]);
        await ExternalTool.RunAsync("skopeo", ["copy", "--src-tls-verify=false", "--src-creds", $"dev:{AuthTestServer.PasswordOf("dev")}", target, $"oci:{Path.Combine(work, "pulled")}:v1"]);
        Assert.True(File.Exists(Path.Combine(work, "pulled", "index.json")));

        var anonymous = await ExternalTool.TryRunAsync("skopeo", ["inspect", "--tls-verify=false", "--no-creds", target]);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("unauthorized", anonymous.Stderr, StringComparison.OrdinalIgnoreCase);

        var rival = await ExternalTool.TryRunAsync("skopeo", ["inspect", "--tls-verify=false", "--creds", $"rival:{AuthTestServer.PasswordOf("rival")}", target]);
        Assert.NotEqual(0, rival.ExitCode);
        Assert.Contains("denied", rival.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RuntimeAgentLogsInWithARobotAndPullsAPrivateImage()
    {
        var image = ImageBuilder.FromBusybox().Layer(l => l.File("etc/motd", "private base")).Build();
        await new RegistryPushClient(auth.Admin).PushAsync("acme/base", image, "1");
        var (login, secret) = await auth.CreateRobotAsync("acme", "agent", "base", "pull");
        var root = Path.Combine(work, "agent-root");
        var agent = Path.Combine(AppContext.BaseDirectory, "runtime-agent.dll");

        var anonymous = await ExternalTool.TryRunAsync("dotnet", [agent, "--root", root, "pull", $"{Host}/acme/base:1"]);
        Assert.NotEqual(0, anonymous.ExitCode);

        await ExternalTool.RunAsync("dotnet", [agent, "--root", root, "login", Host, "-u", login, "-p", secret]);
        await ExternalTool.RunAsync("dotnet", [agent, "--root", root, "pull", $"{Host}/acme/base:1"]);
        var images = await ExternalTool.RunAsync("dotnet", [agent, "--root", root, "images"]);
        Assert.Contains("acme/base", images);

        // Revoked: the saved credentials stop working at once.
        await AuthTestServer.Expect(await auth.Admin.DeleteAsync("/api/v1/orgs/acme/robots/agent"), System.Net.HttpStatusCode.NoContent);
        await new RegistryPushClient(auth.Admin).PushAsync("acme/base", ImageBuilder.FromBusybox().Layer(l => l.File("etc/motd", "v2")).Build(), "2");
        var revoked = await ExternalTool.TryRunAsync("dotnet", [agent, "--root", root, "pull", $"{Host}/acme/base:2"]);
        Assert.NotEqual(0, revoked.ExitCode);
    }
}
