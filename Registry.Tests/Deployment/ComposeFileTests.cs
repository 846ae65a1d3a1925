using System.Diagnostics;

namespace Registry.Tests.Deployment;

/// <summary>
/// docker-compose.yml cannot run here (no Docker engine), so it is checked the way CI can: Debian's
/// docker-compose parses and validates it, and the resolved file holds the stack the README promises.
/// </summary>
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

    private static async Task<string> ComposeAsync(params string[] arguments)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("docker-compose") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
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
            Assert.True(process.ExitCode == 0, $"docker-compose {string.Join(' ', arguments)} failed: {error}");
            return await output;
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Registry.sln"))) return directory.FullName;
        throw new InvalidOperationException("Registry.sln not found above the test binaries");
    }
}
