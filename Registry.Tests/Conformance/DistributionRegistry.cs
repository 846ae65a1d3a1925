using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Registry.Tests.Conformance;

/// <summary>
/// The reference registry (CNCF distribution 2.8, Debian's <c>docker-registry</c>) on a free loopback
/// port with a temp config and storage: the yardstick that proves a test (or a test image) is right
/// before it is pointed at our registry.
/// </summary>
public sealed class DistributionRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly string _directory;

    public Uri BaseAddress { get; }

    /// <summary>Its access log (one line per request, combined log format), for counting what clients fetched.</summary>
    public ConcurrentQueue<string> AccessLog { get; } = new();

    /// <summary><c>127.0.0.1:PORT</c>, as image references name it.</summary>
    public string HostPort => $"{BaseAddress.Host}:{BaseAddress.Port}";

    private DistributionRegistry(Process process, string directory, Uri baseAddress) =>
        (_process, _directory, BaseAddress) = (process, directory, baseAddress);

    /// <summary>
    /// Starts a registry; with <paramref name="basicAuthUser"/> it accepts only that user (htpasswd Basic auth),
    /// for checking a client's login against a registry it was not written with.
    /// </summary>
    public static async Task<DistributionRegistry> StartAsync((string User, string Password)? basicAuthUser = null)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: apt-get install docker-registry (scripts/install-deps.sh)");
        var directory = Directory.CreateTempSubdirectory("distribution-").FullName;
        var port = FreePort();
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {directory}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            {HtpasswdSection(directory, basicAuthUser)}
            """);
        var start = new ProcessStartInfo(Binary, ["serve", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        var registry = new DistributionRegistry(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, line) => { if (line.Data is { } text) registry.AccessLog.Enqueue(text); };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await registry.WaitUntilReadyAsync();
        return registry;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}");
            try
            {
                using var response = await http.GetAsync("v2/");
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("docker-registry did not answer on /v2/");
    }

    private static string HtpasswdSection(string directory, (string User, string Password)? user)
    {
        if (user is not { } credentials) return "";
        // bcrypt, the only hash distribution's htpasswd accepts, from libxcrypt through python's crypt module.
        var hasher = new ProcessStartInfo("python3", ["-W", "ignore", "-c",
            "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))", credentials.Password])
        { RedirectStandardOutput = true };
        using var child = Process.Start(hasher)!;
        var hash = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        File.WriteAllText(Path.Combine(directory, "htpasswd"), $"{credentials.User}:{hash}\n");
        return $"""
            auth:
              htpasswd:
                realm: test
                path: {directory}/htpasswd
            """;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>How many requests answered <paramref name="status"/> for <paramref name="method"/> <paramref name="path"/> (exactly).</summary>
    public int CountRequests(string method, string path, int status) =>
        AccessLog.Count(line => line.Contains($"\"{method} {path} HTTP/") && line.Contains($"\" {status} "));

    /// <summary>Stops the registry (as an outage would); its data stays until dispose.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
