using RuntimeAgent.Run;
using RuntimeAgent.Store;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// stop, kill, rm, wait and start on detached containers. The CLI acts on the container's processes directly
/// (by pidfd, never a bare pid) and leaves recording to the monitor: it waits for the monitor to exit, which
/// it does only after writing the final state.
/// </summary>
public sealed class ContainerLifecycle(StoreLayout layout, string agentPath)
{
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(10);
    private readonly ContainerStore store = new(layout);

    public ContainerStore Store => store;

    /// <summary>Sends the stop signal, then SIGKILL after <paramref name="timeout"/>; the restart policy does not apply.</summary>
    public ContainerState Stop(string nameOrId, TimeSpan? timeout)
    {
        var state = store.Find(nameOrId);
        if (!state.IsActive) return state;
        state = store.Update(state.Id, s => s.StopRequested = true);
        if (state.Process.Signal(state.StopSignal)
            && !state.Process.WaitForExit(timeout ?? TimeSpan.FromSeconds(state.StopTimeoutSeconds)))
        {
            state.Process.Signal(SigKill);
            state.Process.WaitForExit(RecordTimeout);
        }
        return AwaitMonitor(state);
    }

    public void Kill(string nameOrId, int signal)
    {
        var state = store.Find(nameOrId);
        if (state.Status != ContainerStatus.Running || !state.Process.Signal(signal))
            throw new ContainerStateException($"container {state.Name} is not running");
    }

    /// <summary>Removes a stopped container; with <paramref name="force"/>, kills a running one first.</summary>
    public void Remove(string nameOrId, bool force)
    {
        var state = store.Find(nameOrId);
        if (state.IsActive)
        {
            if (!force) throw new ContainerStateException($"container {state.Name} is {state.Status}: stop it first, or use rm -f");
            state = store.Update(state.Id, s => s.StopRequested = true);
            state.Process.Signal(SigKill);
            state.Process.WaitForExit(RecordTimeout);
            if (AwaitMonitor(state).IsGone) return;
            if (state.Monitor.Signal(SigKill)) state.Monitor.WaitForExit(RecordTimeout);
        }
        store.Delete(state.Id);
    }

    /// <summary>Blocks until the container has exited for good (no restart pending); returns its exit code.</summary>
    public int Wait(string nameOrId, CancellationToken ct)
    {
        var state = store.Find(nameOrId);
        while (state.IsActive && !ct.IsCancellationRequested)
        {
            if (!state.Monitor.WaitForExit(TimeSpan.FromMilliseconds(200)) && state.MonitorPid != 0) continue;
            if (!File.Exists(store.StatePath(state.Id)))
                throw new ContainerStateException($"container {state.Name} ended with its foreground run and was removed: its exit code was the run's");
            state = store.Find(state.Id);
            if (state.IsActive && state.MonitorPid == 0) Thread.Sleep(20); // `start` has not launched its monitor yet
        }
        return state.ExitCode ?? 0;
    }

    /// <summary>Starts a stopped container again with a new monitor, on the same upper layer.</summary>
    public ContainerState Start(string nameOrId)
    {
        var state = store.Find(nameOrId);
        if (state.IsActive) return state;
        store.Update(state.Id, s => (s.Status, s.StopRequested, s.MonitorPid, s.MonitorStartTime, s.Error) = (ContainerStatus.Created, false, 0, 0, null));
        MonitorLauncher.Start(agentPath, layout.Root, state.Id);
        return store.Load(state.Id);
    }

    /// <summary>
    /// The state the monitor recorded as it exited. A foreground run's record leaves with the run (ForegroundHealthCheck):
    /// then the last state read, marked exited and gone.
    /// </summary>
    private ContainerState AwaitMonitor(ContainerState state)
    {
        state.Monitor.WaitForExit(RecordTimeout);
        if (File.Exists(store.StatePath(state.Id))) return store.Find(state.Id);
        state.Status = ContainerStatus.Exited;
        state.IsGone = true;
        return state;
    }
}
