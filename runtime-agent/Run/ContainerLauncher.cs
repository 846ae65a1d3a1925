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
    private readonly Queue<int> _early = new(); // signals that came before the container's pid; guarded by itself
    private volatile int _pid;
    private Timer? _stopper;

    /// <summary>
    /// Returns the container's exit code (128+N when killed by signal N). <paramref name="started"/> is called with the
    /// container's pid once it runs (a foreground health check starts there). <paramref name="outputFd"/>: the container's
    /// stdout and stderr instead of ours (a build's RUN output pipe).
    /// </summary>
    public int Run(ContainerSpec spec, Action<int>? started = null, int outputFd = -1)
    {
        // On a terminal the container shares our process group, so the terminal already sends it ^C and ^\;
        // otherwise it gets its own group and we forward every signal exactly once.
        // With -t the container has its own terminal (and session): the agent relays bytes and forwards every signal.
        var terminalDelivers = !spec.Tty && Isatty(0) == 1 && Tcgetpgrp(0) == Getpgrp();
        // Registered before the container starts: it may run (and be signalled) before Start returns.
        var registrations = new List<PosixSignalRegistration>(Reaper.ForwardedSignals.Length);
        foreach (var signal in Reaper.ForwardedSignals)
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true; // the agent outlives the container, to clean up after it
                if (terminalDelivers && signal is 2 or 3) return;
                lock (_early)
                    if (_pid == 0) _early.Enqueue(signal);
                    else Forward(signal);
            }));
        try
        {
            var setup = new NamespaceSetup(spec, agentPath, newProcessGroup: !terminalDelivers, outputFd);
            var pid = setup.Start();
            using var relay = setup.TerminalFd >= 0 ? new Terminal.TerminalRelay(setup.TerminalFd, spec.TerminalInput) : null;
            lock (_early)
            {
                _pid = pid;
                while (_early.TryDequeue(out var signal)) Forward(signal);
            }
            started?.Invoke(pid);
            return ProcessStart.Wait(_pid); // the relay drains the container's last output before it is disposed
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
            _stopper?.Dispose();
        }
    }

    private void Forward(int signal)
    {
        Kill(_pid, signal);
        if (signal is not (2 or 15)) return;
        _stopper ??= new Timer(_ => Kill(_pid, SigKill), null, stopTimeout, Timeout.InfiniteTimeSpan);
    }
}
