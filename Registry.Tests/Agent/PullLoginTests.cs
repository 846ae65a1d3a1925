using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Text;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>`login`/`logout` and pulls that need credentials, against CNCF distribution with Basic auth.</summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class PullLoginTests : IAsyncLifetime
{
    private const string User = "alice";
    private const string Password = "correct horse battery";
    private DistributionRegistry registry = null!;
    private string reference = null!;

    public async Task InitializeAsync()
    {
        registry = await DistributionRegistry.StartAsync((User, Password));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{registry.HostPort}/") };
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        await new RegistryPushClient(http).PushAsync("private/app", ImageBuilder.FromBusybox().Build(), "1.0");
        reference = $"{registry.HostPort}/private/app:1.0";
    }

    public async Task DisposeAsync() => await registry.DisposeAsync();

    [Fact]
    public async Task PullWithoutCredentialsSaysHowToLogIn()
    {
        using var root = new AgentRoot();

        var pull = await root.RunAsync("pull", reference);

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"runtime-agent login {registry.HostPort}", pull.Stderr);
    }

    [Fact]
    public async Task LoginWithAWrongPasswordFailsAndSavesNothing()
    {
        using var root = new AgentRoot();

        var login = await root.RunAsync("login", registry.HostPort, "-u", User, "-p", "wrong");

        Assert.Equal(1, login.ExitCode);
        Assert.Contains("refused", login.Stderr);
        Assert.False(File.Exists(Path.Combine(root.Path, "auth.json")));
    }

    [Fact]
    public async Task LoginSavesCredentialsPrivatelyForPullUntilLogout()
    {
        using var root = new AgentRoot();

        var login = await AgentBinary.RunAsync(["--root", root.Path, "login", registry.HostPort, "-u", User, "--password-stdin"], Password + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        var authFile = Path.Combine(root.Path, "auth.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(authFile));
        Assert.DoesNotContain(Password, File.ReadAllText(authFile)); // stored encoded, as docker does, never echoed

        await root.RunOkAsync("pull", reference);
        await root.RunOkAsync("logout", registry.HostPort);
        await root.RunOkAsync("rmi", reference);
        var pullAfterLogout = await root.RunAsync("pull", reference);

        Assert.Equal(1, pullAfterLogout.ExitCode);
        Assert.Contains("requires credentials", pullAfterLogout.Stderr);
    }

    [Fact]
    public async Task PullUsesDockerConfigJsonWhenTheAgentHasNoCredentials()
    {
        using var root = new AgentRoot();
        using var home = new TempDirectory();
        // Docker's own spelling of the key: scheme and path around host:port.
        WriteAuthFile(Path.Combine(home.Path, ".docker", "config.json"), $"http://{registry.HostPort}/v2/", User, Password);

        var pull = await AgentBinary.RunAsync(["--root", root.Path, "pull", reference],
            environment: new Dictionary<string, string> { ["HOME"] = home.Path, ["XDG_RUNTIME_DIR"] = "", ["DOCKER_CONFIG"] = "" });

        Assert.True(pull.ExitCode == 0, pull.ToString());
    }

    [Fact]
    public async Task PullUsesContainersAuthJsonUnderXdgRuntimeDir()
    {
        using var root = new AgentRoot();
        using var runtime = new TempDirectory();
        WriteAuthFile(Path.Combine(runtime.Path, "containers", "auth.json"), registry.HostPort, User, Password);

        var pull = await AgentBinary.RunAsync(["--root", root.Path, "pull", reference],
            environment: new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["XDG_RUNTIME_DIR"] = runtime.Path, ["DOCKER_CONFIG"] = "" });

        Assert.True(pull.ExitCode == 0, pull.ToString());
    }

    [Fact]
    public async Task TheAgentsOwnCredentialsComeFirst()
    {
        using var root = new AgentRoot();
        using var home = new TempDirectory();
        WriteAuthFile(Path.Combine(root.Path, "auth.json"), registry.HostPort, User, "stale password");
        WriteAuthFile(Path.Combine(home.Path, ".docker", "config.json"), registry.HostPort, User, Password);
        var environment = new Dictionary<string, string> { ["HOME"] = home.Path, ["XDG_RUNTIME_DIR"] = "", ["DOCKER_CONFIG"] = "" };

        var pull = await AgentBinary.RunAsync(["--root", root.Path, "pull", reference], environment: environment);
        Assert.Equal(1, pull.ExitCode); // the agent's own (stale) entry was used, not Docker's
        await root.RunOkAsync("logout", registry.HostPort);
        var afterLogout = await AgentBinary.RunAsync(["--root", root.Path, "pull", reference], environment: environment);
        Assert.True(afterLogout.ExitCode == 0, afterLogout.ToString());
    }

    private static void WriteAuthFile(string path, string key, string user, string password)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        // Other fields Docker writes must not disturb the reader.
        File.WriteAllText(path, $$$"""{"auths":{"{{{key}}}":{"auth":"{{{auth}}}"}},"credsStore":"","HttpHeaders":{"User-Agent":"x"}}""");
    }
}
