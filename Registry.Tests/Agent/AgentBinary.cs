using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Registry.Tests.Agent;

/// <summary>What one run of the agent printed and returned.</summary>
public sealed record AgentResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The NativeAOT runtime-agent the tests run as a process, as users do: $RUNTIME_AGENT_PATH (scripts/test.sh
/// publishes it), or else published once per test run into a temp directory.
/// </summary>
public static class AgentBinary
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    public static Task<string> PathAsync() => Published.Value;

    /// <summary>
    /// Runs the agent with <paramref name="args"/>, optionally feeding <paramref name="stdin"/> and with
    /// <paramref name="environment"/> set over the test's own, and waits for it.
    /// </summary>
    public static async Task<AgentResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(await PathAsync(), args, environment);
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"runtime-agent {string.Join(' ', args)} did not finish in time");
        }
        return new AgentResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<AgentResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    /// <summary>Starts the agent with redirected stdio and returns at once (for tests that signal it while it runs).</summary>
    public static async Task<Process> StartAsync(IEnumerable<string> args) => Start(await PathAsync(), args);

    /// <summary>Sends a signal to a process (the BCL can only SIGKILL).</summary>
    public static void Signal(Process process, int signal)
    {
        if (kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill {process.Id} {signal} failed");
    }

    /// <summary>Namespaces, overlayfs and mounts need root; the run tests say so instead of passing.</summary>
    public static bool IsRoot => geteuid() == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc")]
    private static extern uint geteuid();

    private static Process Start(string path, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        // Through env(1), with the terminal signals' default actions: a suite started by `cmd &` from a script (or by
        // nohup) hands its processes SIGINT, SIGQUIT and SIGHUP ignored, and an agent that inherits an ignored SIGINT
        // rightly keeps ignoring it, so a test signalling the agent would test how the suite was launched (seen in CI).
        var info = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in (string[])["--default-signal=INT,QUIT,HUP", "--", path]) info.ArgumentList.Add(arg);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {path}");
    }

    private static async Task<string> PublishAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RUNTIME_AGENT_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!File.Exists(fromEnvironment)) throw new FileNotFoundException($"RUNTIME_AGENT_PATH={fromEnvironment} does not exist");
            return fromEnvironment;
        }
        var output = Path.Combine(Path.GetTempPath(), $"runtime-agent-test-{Guid.NewGuid():N}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "publish", Path.Combine(RepositoryRoot(), "runtime-agent"), "-c", "Release", "-o", output, "-nologo" })
            info.ArgumentList.Add(arg);
        using var publish = Process.Start(info)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        var binary = Path.Combine(output, "runtime-agent");
        if (publish.ExitCode != 0 || !File.Exists(binary))
            throw new InvalidOperationException($"publishing runtime-agent failed (set RUNTIME_AGENT_PATH to skip):\n{await stdout}\n{await stderr}");
        return binary;
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Registry.sln"))) return directory.FullName;
        throw new InvalidOperationException("cannot find Registry.sln above the test assembly");
    }
}
