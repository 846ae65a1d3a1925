using System.Diagnostics;
using System.Text.Json;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Oidc;

/// <summary>
/// A real OpenID provider (npm oidc-provider, installed by scripts/install-deps.sh) on loopback, run by node from
/// test-idp.mjs, with one client and accounts whose groups the tests change between sign-ins.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "registry-ui", ClientSecret = "registry-ui-client-secret-for-tests";

    private readonly Process _node;
    private readonly string _accountsFile;

    private OidcProvider(Process node, string accountsFile, string authority) => (_node, _accountsFile, Authority) = (node, accountsFile, authority);

    public string Authority { get; }

    /// <summary>A port for the provider, chosen before the registry starts (each needs the other's address).</summary>
    public static int ReservePort() => LoopbackPorts.Free();

    /// <summary>The registry settings for signing in through a provider at <paramref name="port"/>.</summary>
    public static Dictionary<string, string?> Settings(int port, string? adminGroup = null) => new()
    {
        ["Registry:Auth:Oidc:Authority"] = $"http://127.0.0.1:{port}",
        ["Registry:Auth:Oidc:ClientId"] = ClientId,
        ["Registry:Auth:Oidc:ClientSecret"] = ClientSecret,
        ["Registry:Auth:Oidc:RequireHttpsMetadata"] = "false",
        ["Registry:Auth:Oidc:AdminGroup"] = adminGroup,
    };

    public static async Task<OidcProvider> StartAsync(int port, Uri registry, IReadOnlyDictionary<string, string[]> accountGroups)
    {
        var root = Agent.AgentBinary.RepositoryRoot();
        var module = Path.Combine(root, "scripts", "node_modules", "oidc-provider", "lib", "index.js");
        Assert.True(File.Exists(module), "oidc-provider is not installed: run scripts/install-deps.sh");
        var accountsFile = Path.Combine(Directory.CreateTempSubdirectory("oidc-accounts-").FullName, "accounts.json");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment =
            {
                ["OIDC_PROVIDER_MODULE"] = module, ["PORT"] = port.ToString(), ["CLIENT_ID"] = ClientId, ["CLIENT_SECRET"] = ClientSecret,
                ["REDIRECT_URI"] = new Uri(registry, "/signin-oidc").ToString(), ["ACCOUNTS_FILE"] = accountsFile,
            },
        };
        start.ArgumentList.Add(Path.Combine(root, "Registry.Tests", "Auth", "Oidc", "test-idp.mjs"));
        var provider = new OidcProvider(Process.Start(start)!, accountsFile, $"http://127.0.0.1:{port}");
        provider.SetAccounts(accountGroups);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await provider._node.StandardOutput.ReadLineAsync(timeout.Token);
        if (line?.StartsWith("ready", StringComparison.Ordinal) != true)
            throw new InvalidOperationException($"the OpenID provider did not start: {line} {await provider._node.StandardError.ReadToEndAsync(timeout.Token)}");
        return provider;
    }

    /// <summary>Rewrites who exists and their groups; the provider reads it at each sign-in.</summary>
    public void SetAccounts(IReadOnlyDictionary<string, string[]> accountGroups) =>
        File.WriteAllText(_accountsFile, JsonSerializer.Serialize(accountGroups.ToDictionary(
            a => a.Key, a => new Dictionary<string, object> { ["preferred_username"] = a.Key, ["name"] = a.Key, ["groups"] = a.Value })));

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited) _node.Kill(entireProcessTree: true);
        await _node.WaitForExitAsync();
        _node.Dispose();
        try { Directory.Delete(Path.GetDirectoryName(_accountsFile)!, recursive: true); } catch (IOException) { }
    }
}
