using System.Runtime.Versioning;
using System.Text.Json;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// Docker credential helpers (<c>credsStore</c>, <c>credHelpers</c>) run by the agent: real helper executables (shell
/// scripts speaking the <c>docker-credential-NAME get</c> protocol, on a PATH of the test's own) against the project's
/// registry with auth on and a private repository.
/// </summary>
[SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class CredentialHelperTests : IAsyncLifetime
{
    private const string User = "dev";
    private AuthTestServer auth = null!;
    private readonly TempDirectory work = new();
    private string Host => $"127.0.0.1:{auth.Server.BaseAddress.Port}";
    private string Reference => $"{Host}/acme/app:1.0";
    private string HelperLog => Path.Combine(work.Path, "helper.log");

    public async Task InitializeAsync()
    {
        auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite);
        await auth.CreateOrganizationAsync("acme");
        await auth.CreateUserAsync(User);
        await auth.SetMemberAsync("acme", User, "developer");
        await auth.CreateTeamAsync("acme", "apps", "app", ["pull"], User);
        await new RegistryPushClient(auth.Admin).PushAsync("acme/app", ImageBuilder.FromBusybox().Build(), "1.0");
        await AgentBinary.PathAsync();
    }

    public async Task DisposeAsync()
    {
        await auth.DisposeAsync();
        work.Dispose();
    }

    [Fact]
    public async Task PullUsesTheCredsStoreHelperWhichGetsTheServerOnStdin()
    {
        InstallHelper("vault", AnswerScript(User, AuthTestServer.PasswordOf(User)));
        WriteDockerConfig($$$"""{"auths":{"{{{Host}}}":{}},"credsStore":"vault"}""");

        var pull = await PullAsync();

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Equal($"get {Host}", File.ReadAllText(HelperLog).Trim());
    }

    [Fact]
    public async Task CredHelpersEntryWithAnIdentityTokenIsTradedForAnAccessToken()
    {
        var identityToken = await RefreshTokenAsync();
        InstallHelper("tokens", AnswerScript("<token>", identityToken));
        // The registry's own helper wins over the store and over a stale password in auths.
        var stale = Convert.ToBase64String("dev:stale"u8.ToArray());
        WriteDockerConfig($$$"""{"auths":{"{{{Host}}}":{"auth":"{{{stale}}}"}},"credsStore":"missing","credHelpers":{"{{{Host}}}":"tokens"}}""");

        var pull = await PullAsync();

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains("get", File.ReadAllText(HelperLog));
    }

    [Fact]
    public async Task AMissingHelperIsOneClearLine()
    {
        WriteDockerConfig("""{"credsStore":"nosuch"}""");

        var pull = await PullAsync();

        Assert.Equal(1, pull.ExitCode);
        var line = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("docker-credential-nosuch", line);
        Assert.Contains("not on PATH", line);
    }

    [Fact]
    public async Task AFailingHelperIsOneLineThatNeverEchoesItsStderr()
    {
        InstallHelper("broken", "#!/bin/sh\ncat >/dev/null\necho 'leaked-secret-on-stderr' >&2\necho 'keychain is locked'\nexit 3\n");
        WriteDockerConfig("""{"credsStore":"broken"}""");

        var pull = await PullAsync();

        Assert.Equal(1, pull.ExitCode);
        var line = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("docker-credential-broken failed", line);
        Assert.Contains("exit 3", line);
        Assert.Contains("keychain is locked", line);
        Assert.DoesNotContain("leaked-secret", pull.Stderr + pull.Stdout);
    }

    [Fact]
    public async Task AHelperThatHangsIsKilledAfterTheTimeout()
    {
        InstallHelper("slow", "#!/bin/sh\nexec sleep 60\n");
        WriteDockerConfig("""{"credsStore":"slow"}""");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pull = await PullAsync(("RUNTIME_AGENT_CREDENTIAL_HELPER_TIMEOUT", "1"));

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("docker-credential-slow did not answer", pull.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task HelperCredentialsNotFoundMeansAnonymous()
    {
        InstallHelper("empty", "#!/bin/sh\ncat >/dev/null\necho 'credentials not found in native keychain'\nexit 1\n");
        WriteDockerConfig("""{"credsStore":"empty"}""");

        var pull = await PullAsync();

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"runtime-agent login {Host}", pull.Stderr);
    }

    /// <summary>A helper that logs its argument and stdin, then answers with the credentials.</summary>
    private string AnswerScript(string user, string secret) =>
        $"#!/bin/sh\nprintf '%s %s' \"$1\" \"$(cat)\" > '{HelperLog}'\n" +
        $"printf '%s' '{JsonSerializer.Serialize(new { ServerURL = Host, Username = user, Secret = secret })}'\n";

    private void InstallHelper(string name, string script)
    {
        var path = Path.Combine(work.Path, "bin", "docker-credential-" + name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private void WriteDockerConfig(string json)
    {
        Directory.CreateDirectory(Path.Combine(work.Path, "docker"));
        File.WriteAllText(Path.Combine(work.Path, "docker", "config.json"), json);
    }

    private async Task<AgentResult> PullAsync(params (string Name, string Value)[] extra)
    {
        using var root = new AgentRoot();
        var environment = new Dictionary<string, string>
        {
            ["DOCKER_CONFIG"] = Path.Combine(work.Path, "docker"), ["XDG_RUNTIME_DIR"] = "", ["HOME"] = "/nonexistent",
            ["PATH"] = Path.Combine(work.Path, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
        foreach (var (name, value) in extra) environment[name] = value;
        return await AgentBinary.RunAsync(["--root", root.Path, "pull", Reference], environment: environment);
    }

    /// <summary>An identity token as registries hand them out: a refresh token from /token with offline_token=true.</summary>
    private async Task<string> RefreshTokenAsync()
    {
        using var client = auth.Basic(User, AuthTestServer.PasswordOf(User));
        using var response = await client.GetAsync($"/token?service={AuthTestServer.Service}&offline_token=true");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("refresh_token").GetString()!;
    }
}
