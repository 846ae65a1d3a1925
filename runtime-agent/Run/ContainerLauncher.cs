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
    /// stdout and stderr instead of ours (a build's RUN output pipe). <paramref name="createCgroup"/>: makes the
    /// container's cgroup and returns its directories (only for a spec that <see cref="NamespaceSetup.StartsDirectly"/>):
    /// it runs on this thread while the setup thread builds the container; so does <paramref name="resolveSecurity"/>,
    /// which gives the security profile of such a spec when the spec's own is not resolved yet (it need only say whether
    /// to mask kernel paths).
    /// </summary>
    public int Run(ContainerSpec spec, Action<int>? started = null, int outputFd = -1, Func<IReadOnlyList<string>>? createCgroup = null,
        Func<Isolation.SecurityProfile>? resolveSecurity = null)
    {
        // On a terminal the container shares our process group, so the terminal already sends it ^C and ^\;
        // otherwise it gets its own group and we forward every signal exactly once.
        // With -t the container has its own terminal (and session): the agent relays bytes and forwards every signal.
        var terminalDelivers = !spec.Tty && Isatty(0) == 1 && Tcgetpgrp(0) == Getpgrp();
        var registrations = new List<PosixSignalRegistration>(Reaper.ForwardedSignals.Length);
        // A direct launch waits for the handlers (and the cgroup) just before its spawn, so they are made while it builds
        // the container; any other launch gets them first. Either way they exist before the container does.
        var host = NamespaceSetup.StartsDirectly(spec) ? new HostPreparation() : null;
        if (resolveSecurity is not null && host is null) // the spec's own profile is a placeholder then: never launch with it
            throw new InvalidOperationException("a profile resolved during the launch needs a direct launch");
        try
        {
            if (host is null) RegisterSignals(registrations, terminalDelivers);
            var setup = new NamespaceSetup(spec, agentPath, newProcessGroup: !terminalDelivers, outputFd) { Host = host };
            var launch = setup.Begin();
            if (host is not null)
            {
                try
                {
                    RegisterSignals(registrations, terminalDelivers);
                    var lockdown = (resolveSecurity?.Invoke() ?? spec.Security).Prepare(); // reads the seccomp program
                    host.Ready(lockdown, createCgroup?.Invoke() ?? []);
                    Diagnostics.PhaseTrace.Mark("host-ready");
                }
                catch
                {
                    host.Abandon();
                    launch.EndQuietly();
                    host.CloseUntaken();
                    throw;
                }
            }
            int pid;
            try
            {
                pid = setup.WaitForProcess(launch); // once the process has exec'd: the launch's threads end while it runs
            }
            finally
            {
                host?.CloseUntaken(); // taken unless the launch failed before its spawn
            }
            int exitCode;
            using (var relay = setup.TerminalFd >= 0 ? new Terminal.TerminalRelay(setup.TerminalFd, spec.TerminalInput) : null)
            {
                lock (_early)
                {
                    _pid = pid;
                    while (_early.TryDequeue(out var signal)) Forward(signal);
                }
                started?.Invoke(pid);
                exitCode = ProcessStart.Wait(pid); // the relay drains the container's last output before it is disposed
            }
            launch.End(); // a start that failed after the spawn (the process was killed) reports that, not the kill
            return exitCode;
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
            _stopper?.Dispose();
        }
    }

    // Registered before the container starts: it may run (and be signalled) before its pid is known here.
    private void RegisterSignals(List<PosixSignalRegistration> registrations, bool terminalDelivers)
    {
        foreach (var signal in Reaper.ForwardedSignals)
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true; // the agent outlives the container, to clean up after it
                if (terminalDelivers && signal is 2 or 3) return;
                lock (_early)
                    if (_pid == 0) _early.Enqueue(signal);
                    else Forward(signal);
            }));
    }

    private void Forward(int signal)
    {
        Kill(_pid, signal);
        if (signal is not (2 or 15)) return;
        _stopper ??= new Timer(_ => Kill(_pid, SigKill), null, stopTimeout, Timeout.InfiniteTimeSpan);
    }
}
