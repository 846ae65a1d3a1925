using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Registry.Tests.Agent;

/// <summary>What one agent invocation printed and returned.</summary>
public sealed record AgentResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// The NativeAOT agent, run as a process the way users run it: RUNTIME_AGENT_PATH (scripts/test.sh publishes
/// it), else published once per test run into a temp directory.
/// </summary>
public static class AgentBinary
{
    private static readonly Lazy<string> Published = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Published.Value;

    /// <summary>Starts the agent with redirected output; the caller waits and reads.</summary>
    public static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the agent");
    }

    public static async Task<AgentResult> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        using var process = Start(args);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agent {string.Join(' ', args)} did not finish; stderr so far: {(stderr.IsCompleted ? stderr.Result : "")}");
        }
        return new AgentResult(process.ExitCode, await stdout, await stderr);
    }

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

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RUNTIME_AGENT_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return File.Exists(fromEnvironment) ? fromEnvironment
                : throw new InvalidOperationException($"RUNTIME_AGENT_PATH={fromEnvironment} does not exist");

        var repository = AppContext.BaseDirectory;
        while (!File.Exists(System.IO.Path.Combine(repository, "Registry.sln")))
            repository = System.IO.Path.GetDirectoryName(repository) ?? throw new InvalidOperationException("Registry.sln not found above the test binaries");
        var output = Directory.CreateTempSubdirectory("runtime-agent-").FullName;
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", System.IO.Path.Combine(repository, "runtime-agent"), "-c", "Release", "-o", output, "-nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEnd();
        publish.WaitForExit();
        var binary = System.IO.Path.Combine(output, "runtime-agent");
        return publish.ExitCode == 0 && File.Exists(binary) ? binary
            : throw new InvalidOperationException($"dotnet publish runtime-agent failed:\n{log.Result}\n{errors}");
    }
}
