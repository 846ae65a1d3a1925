using System.Runtime.InteropServices;
using RuntimeAgent.Commands;
using RuntimeAgent.Containers;
using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>
/// The agent's hottest command lines, recognised before System.CommandLine's tree of every command is built and
/// parsed (about 3 ms of CPU per start on this VM, a tenth of a cached <c>run</c>): the monitor's
/// <c>--root ROOT monitor</c>, as <see cref="MonitorLauncher"/> spawns it, and <c>run</c> with only common flags
/// (<see cref="RunArguments.TryParse"/>). Anything else goes to the full parser; both reach the same code.
/// </summary>
public static class FastCommandLine
{
    // System.CommandLine's default ProcessTerminationTimeout.
    private static readonly TimeSpan TerminationTimeout = TimeSpan.FromSeconds(2);

    public static async Task<int?> TryInvokeAsync(string[] args)
    {
        if (args is ["--root", var root, "monitor"])
            return ContainerMonitor.Launch(new StoreLayout(Path.GetFullPath(root)), id: null);
        if (RunArguments.TryParse(args) is not { } run) return null;
        Diagnostics.PhaseTrace.Mark("parsed");
        using var cancellation = new CancellationTokenSource();
        try
        {
            var running = RunCommand.ExecuteAsync(run, cancellation.Token);
            return running.IsCompleted ? await running : await CancelOnTermination(running, cancellation);
        }
        catch (Exception e)
        {
            // As System.CommandLine's default exception handler: an unexpected failure is printed, exit code 1.
            Console.Error.WriteLine($"Unhandled exception: {e}");
            return 1;
        }
    }

    /// <summary>
    /// An action still running when it first yields (a pull) is cancelled by SIGINT or SIGTERM and given two seconds
    /// to finish before the agent exits 130 or 143 — what System.CommandLine's invocation does for the full parser.
    /// </summary>
    private static async Task<int> CancelOnTermination(Task<int> running, CancellationTokenSource cancellation)
    {
        var forced = new TaskCompletionSource<int>();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
            if (Task.WaitAny([running], TerminationTimeout) < 0) forced.TrySetResult(context.Signal == PosixSignal.SIGINT ? 130 : 143);
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await await Task.WhenAny(running, forced.Task);
    }
}
