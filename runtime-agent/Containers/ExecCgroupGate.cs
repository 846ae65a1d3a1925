using System.Runtime.ExceptionServices;
using RuntimeAgent.Run;
using RuntimeAgent.Run.Isolation.Cgroups;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// Holds an exec'd process before its execve until it is in the container's cgroup, so neither it nor anything it
/// forks ever runs outside the container's limits. The exec thread spawns the command through a <see cref="StartGate"/>
/// of its own in the container's /dev; this object's thread, which keeps the agent's privileges, finds the child,
/// writes its pid to cgroup.procs in each of the container's cgroup directories and opens the gate — as
/// <see cref="ProcMounter"/> does for a container's first process. (clone3's CLONE_INTO_CGROUP would do it in one
/// step, but only on cgroup v2 and not through posix_spawn.) Everything is reached through descriptors opened here,
/// before the exec thread changes its root.
/// </summary>
internal sealed class ExecCgroupGate : IDisposable
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);

    private readonly List<int> _cgroupFds = [];
    private readonly int _hostProcFd = -1;
    private readonly ContainerRoot? _root;
    private readonly StartGate? _gate;
    // No spinning before blocking: the threads this one waits for need the CPUs (two on the machines measured).
    private readonly ManualResetEventSlim _expectChild = new(false, spinCount: 0), _childStarted = new(false, spinCount: 0);
    private readonly Thread _thread;
    private volatile int _spawningThread;
    private volatile bool _cancelled;
    private ExceptionDispatchInfo? _failure;

    /// <param name="containerRoot">The container's root as a host path, e.g. /proc/self/fd/N of its opened root.</param>
    /// <param name="cgroupDirectories">The container's cgroup directories (from its spec).</param>
    public ExecCgroupGate(string containerRoot, IReadOnlyList<string> cgroupDirectories)
    {
        try
        {
            foreach (var directory in cgroupDirectories)
                _cgroupFds.Add(ContainerSetupException.Check(OpenAt(AtFdCwd, directory, OPath | ODirectory | OCloExec, 0), $"open the cgroup {directory}"));
            _hostProcFd = ContainerSetupException.Check(OpenAt(AtFdCwd, "/proc", OPath | ODirectory | OCloExec, 0), "open /proc");
            _root = new ContainerRoot(containerRoot);
            _gate = new StartGate(_root, $".runtime-agent-exec-{Guid.NewGuid():N}");
        }
        catch
        {
            Release();
            throw;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "exec-cgroup" };
        _thread.Start();
    }

    /// <summary>The FIFO the child must open (by this path, inside the container's root) before it execs.</summary>
    public string GatePath => _gate!.Path;

    /// <summary>The calling thread is about to spawn the command.</summary>
    public void ExpectChild()
    {
        _spawningThread = Gettid();
        _expectChild.Set();
    }

    /// <summary>posix_spawn has returned: the child has exec'd, or failed to.</summary>
    public void ChildStarted()
    {
        _gate!.WakeArrival(); // before the event: once it is set, the gate may be disposed
        _childStarted.Set();
    }

    /// <summary>If the child could not be moved into the cgroup it was killed; this reaps it and throws why.</summary>
    public void ThrowIfFailed(int pid)
    {
        _thread.Join();
        if (_failure is null) return;
        ProcessStart.Wait(pid);
        _failure.Throw();
    }

    private void Run()
    {
        var child = 0;
        try
        {
            _expectChild.Wait();
            if (_cancelled) return;
            child = SpawnedChild.Find(_hostProcFd, _spawningThread, _gate!, () => _childStarted.IsSet, ChildTimeout);
            if (child > 0) ContainerCgroup.Join(_cgroupFds, child);
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            if (child > 0) Kill(child, SigKill);
        }
        finally
        {
            if (!_cancelled)
            {
                try
                {
                    _gate!.Open();
                }
                catch (Exception e) when (_failure is null)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }
                _childStarted.Wait(); // the child opens the gate by path: remove it only after the exec
            }
        }
    }

    public void Dispose()
    {
        if (_thread.IsAlive && !_expectChild.IsSet)
        {
            _cancelled = true; // the exec failed before its spawn: stop the thread without touching anything
            _expectChild.Set();
        }
        _thread.Join();
        Release();
        _expectChild.Dispose();
        _childStarted.Dispose();
    }

    private void Release()
    {
        _gate?.Dispose();
        _root?.Dispose();
        if (_hostProcFd >= 0) Close(_hostProcFd);
        _cgroupFds.ForEach(fd => Close(fd));
        _cgroupFds.Clear();
    }
}
