using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Registry.Tests.Agent;

/// <summary>
/// CNCF distribution (Debian's docker-registry) with htpasswd Basic auth on 127.0.0.1: the reference registry,
/// for checking the agent's login against a registry it was not written with.
/// </summary>
public sealed class DistributionRegistry : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private DistributionRegistry(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Host = $"127.0.0.1:{port}";
    }

    public string Host { get; }

    /// <summary>Starts a registry that accepts only <paramref name="user"/> with <paramref name="password"/>.</summary>
    public static async Task<DistributionRegistry> StartWithBasicAuthAsync(string user, string password)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"distribution-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        // bcrypt, the only hash distribution's htpasswd accepts, from libxcrypt through python's crypt module.
        var hash = Run("python3", "-W", "ignore", "-c",
            "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))", password).Trim();
        File.WriteAllText(Path.Combine(directory, "htpasswd"), $"{user}:{hash}\n");
        var port = FreePort();
        File.WriteAllText(Path.Combine(directory, "config.yml"), $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {directory}/data
            http:
              addr: 127.0.0.1:{port}
            auth:
              htpasswd:
                realm: test
                path: {directory}/htpasswd
            """);
        var info = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add(Path.Combine(directory, "config.yml"));
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start docker-registry (apt-get install docker-registry)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new DistributionRegistry(process, directory, port);
        await registry.WaitUntilListeningAsync();
        return registry;
    }

    private async Task WaitUntilListeningAsync()
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException($"docker-registry exited with {process.ExitCode}");
            try
            {
                using var response = await http.GetAsync($"http://{Host}/v2/");
                if (response.StatusCode == HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"docker-registry did not start on {Host}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var child = Process.Start(info)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
