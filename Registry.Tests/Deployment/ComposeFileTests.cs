using System.Diagnostics;

namespace Registry.Tests.Deployment;

/// <summary>
/// docker-compose.yml cannot run here (no Docker engine), so it is checked the way CI can: Debian's
/// docker-compose parses and validates it, and the resolved file holds the stack the README promises.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ComposeFileTests
{
    [Fact]
    public async Task ComposeFileIsValid() => Assert.Equal("", await ComposeAsync("config", "-q"));

    [Fact]
    public async Task ComposeStackRunsTwoRegistryReplicasBehindAProxyOnPostgresAndMinio()
    {
        var resolved = await ComposeAsync("--profile", "azure", "config");
        foreach (var service in new[] { "registry:", "proxy:", "postgres:", "minio:", "minio-setup:", "azurite:" })
            Assert.Contains($"\n  {service}", resolved);
        Assert.Contains("scale: 2", resolved);
        Assert.Contains("Registry__Storage__Driver: s3", resolved);
        Assert.Contains("Registry__Database__Provider: postgres", resolved);
        Assert.Contains("condition: service_healthy", resolved);
        Assert.Contains("/readyz", resolved);
    }

    [Fact]
    public async Task ComposeStackRunsWithAuthAndABootstrapAdminFromAnEnvFileAndTrustsOnlyItsProxy()
    {
        var resolved = await ComposeAsync("config");
        Assert.Contains("Registry__Auth__Enabled: \"true\"", resolved);
        Assert.Contains("Registry__Auth__BootstrapAdmin__User: admin", resolved); // from deploy/registry.env.example
        Assert.Contains("Registry__Auth__SigningKeyPath: /data/auth/token-signing-key.pem", resolved);
        Assert.Contains("Registry__Logging__Format: json", resolved);
        Assert.Contains("Registry__ForwardedHeaders__KnownProxies__0: 172.30.57.10", resolved);
        Assert.Contains("ipv4_address: 172.30.57.10", resolved);
        var nginx = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "nginx.conf"));
        foreach (var header in new[] { "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host" })
            Assert.Contains($"proxy_set_header {header} ", nginx);

        // Without the env file holding the administrator, the stack does not start at all.
        var refused = await RunComposeAsync(envFile: "no-such-registry.env", "config", "-q");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("no-such-registry.env", refused.Error);
    }

    private static async Task<string> ComposeAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunComposeAsync("deploy/registry.env.example", arguments);
        Assert.True(exitCode == 0, $"docker-compose {string.Join(' ', arguments)} failed: {error}");
        return output;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunComposeAsync(string envFile, params string[] arguments)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("docker-compose") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["REGISTRY_ENV_FILE"] = envFile;
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(Path.Combine(root, "docker-compose.yml"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("docker-compose is not installed; run scripts/install-deps.sh (it installs Debian's docker-compose)");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, error);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Registry.sln"))) return directory.FullName;
        throw new InvalidOperationException("Registry.sln not found above the test binaries");
    }
}
