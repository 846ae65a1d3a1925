using System.Runtime.InteropServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Starts a container (<see cref="NamespaceSetup"/>) and waits for it, forwarding the signals a user sends
/// to stop or poke it to its PID 1, and killing it if it has not stopped within the stop timeout after
/// SIGINT or SIGTERM (PID 1 ignores signals it has no handler for, as in Docker).
/// </summary>
internal sealed class ContainerLauncher(string agentPath, TimeSpan stopTimeout)
{
    /// <summary>Returns the container's exit code (128+N when killed by signal N).</summary>
    public int Run(ContainerSpec spec)
    {
        // On a terminal the container shares our process group, so the terminal already sends it ^C and ^\;
        // otherwise it gets its own group and we forward every signal exactly once.
        var terminalDelivers = Isatty(0) == 1 && Tcgetpgrp(0) == Getpgrp();
        var pid = new NamespaceSetup(spec, agentPath, newProcessGroup: !terminalDelivers).Start();
        Timer? stopper = null;
        var registrations = Reaper.ForwardedSignals
            .Select(signal => PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true; // the agent outlives the container, to clean up after it
                if (!(terminalDelivers && signal is 2 or 3)) Kill(pid, signal);
                if (signal is 2 or 15) stopper ??= new Timer(_ => Kill(pid, SigKill), null, stopTimeout, Timeout.InfiniteTimeSpan);
            }))
            .ToList();
        try
        {
            return ProcessStart.Wait(pid);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
            stopper?.Dispose();
        }
    }
}
