using System.Runtime.InteropServices;
using RuntimeAgent.Run;
using RuntimeAgent.Store;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// <c>monitor ID</c>: the per-container process (podman's conmon) that <c>run -d</c> leaves behind. It starts the
/// container, logs its output, reaps it, records its exit in state.json and restarts it by its policy; then
/// exits. It holds the store lock shared while it lives, so `gc` never deletes the layers under a running
/// overlay. SIGTERM to the monitor (a host shutting down) stops the container as `stop` would.
/// See runtime-agent/Containers/README.md.
/// </summary>
internal sealed class ContainerMonitor(StoreLayout layout, string id, string agentPath)
{
    private readonly ContainerStore store = new(layout);
    private volatile int currentPid;

    /// <summary>Where the first start's outcome goes: "ok", or "CODE reason"; a spawned monitor's descriptor 3.</summary>
    public Action<string> Report { get; init; } = MonitorLauncher.Report;

    private Action<int, ProcessIdentity?, DateTimeOffset>? recordFirstRun;

    /// <summary>
    /// Records the first run as running in place of an update of state.json (<see cref="ForkedMonitor"/>, whose records are
    /// first written then, already saying so): given the pid, its identity and the start.
    /// </summary>
    public Action<int, ProcessIdentity?, DateTimeOffset>? RecordFirstRun { init => recordFirstRun = value; }

    /// <summary>
    /// The monitor's entry. Without an id it was spawned by <see cref="MonitorLauncher"/> before its container was
    /// recorded, and reads the id once the CLI has recorded it; end-of-file instead means the CLI gave up, and it exits.
    /// Meanwhile it readies what does not depend on the container (System.Text.Json's metadata).
    /// </summary>
    public static int Launch(Store.StoreLayout layout, string? id)
    {
        Diagnostics.PhaseTrace.Mark("monitor-main");
        Fcntl(MonitorLauncher.ReadyDescriptor, FSetFd, FdCloExec); // the container must not hold the CLI's pipe
        var agentPath = Environment.ProcessPath ?? "/proc/self/exe";
        if (id is not null) return new ContainerMonitor(layout, id, agentPath).Run(Lease(layout));
        var stateJson = ContainerJson.PrepareSpecHereAndStateInBackground();
        Diagnostics.PhaseTrace.Mark("monitor-json");
        // Taken while the CLI works, off the path after the id; in a store the CLI is creating (its first pull) the lock
        // file may not exist yet, and then it is taken after the id.
        var lease = File.Exists(layout.StoreLock) ? Lease(layout) : null;
        id = MonitorLauncher.Receive();
        stateJson.Join();
        Diagnostics.PhaseTrace.Mark("monitor-id");
        if (id is not null) return new ContainerMonitor(layout, id, agentPath).Run(lease ?? Lease(layout));
        lease?.Dispose();
        return 0;
    }

    /// <summary>The store lock, shared, for the monitor's whole life (as a foreground run holds it): gc waits for it.</summary>
    internal static FileLock Lease(StoreLayout layout) =>
        FileLock.AcquireAsync(layout.StoreLock, exclusive: false, CancellationToken.None).GetAwaiter().GetResult();

    /// <param name="recorded">The container's records as the process that wrote them has them (<see cref="ForkedMonitor"/>), else read here.</param>
    public int Run(FileLock lease, ContainerState? recorded = null, ContainerSpec? recordedSpec = null)
    {
        using var held = lease;
        var reported = false;
        try
        {
            // run -d records its monitor with the container (a forked one: this process, as it recorded itself); start (and an
            // unreadable /proc) leaves it to the monitor.
            var state = recorded ?? RecordMonitor();
            Diagnostics.PhaseTrace.Mark("monitor-state");
            var spec = recordedSpec ?? ContainerSpec.Load(store.SpecPath(id));
            var policy = RestartPolicy.Parse(state.RestartPolicy);
            using var log = new ContainerLogWriter(store.LogPath(id), state.LogMaxBytes);
            using var root = Snapshots.RootMount.Prepare(spec); // built (or its FUSE daemon started) once, for every run
            using var ports = state.Ports.Count > 0 ? new Net.PortProxy(state.Ports) : null; // bound before the first run: a taken port fails run -d
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                store.Update(id, s => s.StopRequested = true);
                if (currentPid > 0) Kill(currentPid, state.StopSignal);
            });
            var delay = TimeSpan.Zero;
            while (true)
            {
                var started = DateTimeOffset.UtcNow;
                int exitCode;
                string? error = null;
                var unhealthyRestart = false;
                try
                {
                    Diagnostics.PhaseTrace.Mark("monitor-launch");
                    var recordedPid = 0;
                    void RecordRunning(int pid)
                    {
                        var identity = ProcessIdentity.Of(pid);
                        if (Interlocked.Exchange(ref recordFirstRun, null) is { } recordFirst) recordFirst(pid, identity, started);
                        else store.Update(id, s =>
                        {
                            (s.Status, s.Pid, s.PidStartTime, s.StartedAt, s.Error) = (ContainerStatus.Running, pid, identity?.StartTime ?? 0, started, null);
                            s.FinishedAt = null;
                            // Each run's health starts over as "starting", recorded before the report: run -d has returned by
                            // the time the HealthChecker's thread runs, and inspect must show the check from the start.
                            if (state.Healthcheck is not null) s.Health = new HealthState();
                        });
                        recordedPid = pid;
                        Diagnostics.PhaseTrace.Mark("monitor-running");
                    }
                    // Recorded as soon as the process exists (its pid and start time are final then), while it is still
                    // being released to execve: the write overlaps the end of the start. A start that fails after this
                    // is recorded as exited below, before the report, so run -d never returns on it.
                    var run = MonitoredRun.Start(spec, agentPath, store.AttachSocketPath(id), log.Path, RecordRunning);
                    currentPid = run.Pid;
                    AttachPorts(ports, run.Pid);
                    if (recordedPid != run.Pid) RecordRunning(run.Pid); // the /proc thread did not find it (a launch through init)
                    if (!reported) Report("ok");
                    reported = true;
                    run.StartLogging(log);
                    using (var checker = HealthChecker.Start(store, id, spec, state.Healthcheck))
                    {
                        exitCode = run.Wait();
                        checker?.Dispose(); // joined: its verdict on this run is final
                        unhealthyRestart = checker?.RestartRequested == true;
                    }
                    currentPid = 0;
                }
                catch (ContainerSetupException e) when (reported)
                {
                    (exitCode, error) = (e.ExitCode, e.Message); // a failed restart counts as a failed run
                }
                var finished = DateTimeOffset.UtcNow;
                var restart = false;
                var after = store.Update(id, s =>
                {
                    // --health-on-failure restart: the same restart as the policy's (counted, same backoff), whatever the policy.
                    restart = (unhealthyRestart && !s.StopRequested) || policy.ShouldRestart(exitCode, s.RestartCount, s.StopRequested);
                    (s.ExitCode, s.FinishedAt, s.Error) = (exitCode, finished, error);
                    s.Status = restart ? ContainerStatus.Restarting : ContainerStatus.Exited;
                    if (restart) s.RestartCount++;
                });
                if (!restart) return exitCode;
                delay = RestartPolicy.NextDelay(delay, finished - started);
                if (!SleepUnlessStopped(delay))
                {
                    store.Update(id, s => s.Status = ContainerStatus.Exited);
                    return exitCode;
                }
            }
        }
        catch (Exception e) when (!reported)
        {
            var code = e is ContainerSetupException setup ? setup.ExitCode : 125;
            try
            {
                store.Update(id, s => (s.Status, s.ExitCode, s.Error, s.FinishedAt) = (ContainerStatus.Exited, code, e.Message, DateTimeOffset.UtcNow));
            }
            catch (IOException)
            {
                // A forked monitor's records may never have been written (ForkedMonitor): there is nothing to update.
            }
            Report($"{code} {e.Message}");
            return code;
        }
        catch (Exception e)
        {
            store.Update(id, s => (s.Status, s.Error, s.FinishedAt) = (ContainerStatus.Exited, $"monitor failed: {e.Message}", DateTimeOffset.UtcNow));
            return 125;
        }
    }

    /// <summary>The container's record, with this process as its monitor.</summary>
    private ContainerState RecordMonitor()
    {
        var self = ProcessIdentity.Self();
        return store.Load(id) is { } known && known.Monitor == self
            ? known
            : store.Update(id, s => (s.MonitorPid, s.MonitorStartTime) = (self.Pid, self.StartTime));
    }

    /// <summary>Points the port proxy at this run; a container that already exited simply gets no connections.</summary>
    private static void AttachPorts(Net.PortProxy? ports, int pid)
    {
        try
        {
            ports?.AttachAsync(pid).GetAwaiter().GetResult();
        }
        catch (ContainerSetupException)
        {
        }
    }

    /// <summary>The restart delay, cut short by stop/rm (which set StopRequested): false when stopped.</summary>
    private bool SleepUnlessStopped(TimeSpan delay)
    {
        var until = DateTimeOffset.UtcNow + delay;
        while (DateTimeOffset.UtcNow < until)
        {
            if (store.Load(id).StopRequested) return false;
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(50, Math.Max(1, (until - DateTimeOffset.UtcNow).TotalMilliseconds))));
        }
        return !store.Load(id).StopRequested;
    }
}
