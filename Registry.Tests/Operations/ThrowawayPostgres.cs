using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Operations;

/// <summary>
/// A PostgreSQL 15 cluster of this test's own (initdb + pg_ctl in a temp directory, loopback, trust auth) that
/// the test may stop and start again; the shared server of scripts/services.sh is never touched.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string root;
    private readonly int port;

    private ThrowawayPostgres(string root, int port) => (this.root, this.port) = (root, port);

    public string ConnectionString => $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=3";

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed at {Bin}: run scripts/install-deps.sh");
        var root = Directory.CreateTempSubdirectory("registry-pg-").FullName;
        var cluster = new ThrowawayPostgres(root, LoopbackPorts.Free());
        Directory.CreateDirectory(cluster.DataDirectory);
        await RunAsync("chown", "-R", "postgres", root);
        await RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/initdb", "-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8");
        await cluster.StartServerAsync();
        return cluster;
    }

    private string DataDirectory => Path.Combine(root, "data");

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public Task StartServerAsync() => RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", DataDirectory,
        "-l", Path.Combine(root, "server.log"), "-w", "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary>Stops the server at once (connections are cut, like a crash of the database host).</summary>
    public Task StopServerAsync() => RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(); } catch (InvalidOperationException) { } // already stopped
        Directory.Delete(root, recursive: true);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
    }
}
