using System.Diagnostics;
using System.Net;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.ScaleOut;

/// <summary>
/// The registry as a separate OS process (<c>dotnet Registry.Api.dll</c> from the test's output directory), so a
/// test can kill it with SIGKILL mid-request, as a crashed replica dies.
/// </summary>
public sealed class RegistryProcess : IAsyncDisposable
{
    private readonly Process process;

    private RegistryProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    /// <summary>Every line the process wrote to stdout and stderr so far.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();

    /// <summary>Starts a replica with <paramref name="settings"/> as environment variables (<c>Registry__…</c>) and waits for /healthz.</summary>
    public static async Task<RegistryProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Registry.Api.dll"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var replica = new RegistryProcess(process, new Uri($"http://127.0.0.1:{port}"));
        // Drain the logs so a full pipe never blocks the replica; keep them for tests that read them.
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) replica.Output.Enqueue(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) replica.Output.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException($"the registry process exited with {process.ExitCode} at start: {string.Join('\n', replica.Output)}");
            try
            {
                using var health = await replica.Client.GetAsync("/healthz");
                if (health.StatusCode == HttpStatusCode.OK) return replica;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        await replica.DisposeAsync();
        throw new TimeoutException("the registry process did not answer /healthz within 60 s");
    }

    /// <summary>Runs a registry that is expected to stop by itself (a bad setting); its exit code and every line it wrote.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Output)> RunUntilExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Registry.Api.dll"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) output.Enqueue(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) output.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the registry did not stop within 60 s: {string.Join('\n', output)}");
        }
        process.WaitForExit(); // flushes the redirected streams
        return (process.ExitCode, output.ToList());
    }

    /// <summary>SIGKILL: no shutdown hooks, no graceful drain, open requests cut.</summary>
    public async Task KillAsync()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Client.Dispose();
        process.Dispose();
    }
}
