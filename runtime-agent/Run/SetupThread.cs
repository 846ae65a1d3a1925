using System.Runtime.ExceptionServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Runs a container's launch on a thread of its own (the launch changes that thread's namespaces, root and
/// credentials, which a .NET process cannot do to itself) and waits for it. The /proc thread of a direct launch tells
/// it the container's first process as soon as that exists (<see cref="ChildFound"/>), and the caller's callback then
/// runs on the calling thread, with the host's root, while the launch finishes (the monitor records the pid meanwhile).
/// A foreground run learns it even later but waits less (<see cref="Begin"/>): once the process has exec'd
/// (<see cref="Spawned"/>), it waits for the container while the launch's threads close their descriptors and end.
/// </summary>
internal sealed class SetupThread
{
    // Set when the child is found (or the launch ends) and when the launch reports its spawned process (or ends). No
    // spinning before blocking (a SemaphoreSlim spins ~140 sched_yields first): the threads this one waits for need the CPUs.
    private readonly ManualResetEventSlim _found = new(false, spinCount: 0), _spawned = new(false, spinCount: 0),
        _released = new(false, spinCount: 0);
    private int _foundChild, _spawnedChild, _pid;
    private ExceptionDispatchInfo? _failure;
    private LaunchThread? _thread;

    /// <summary>Set by <see cref="Begin"/>: the caller waits for (reaps) the process the launch reports with <see cref="Spawned"/>.</summary>
    public bool CallerReaps { get; private init; }

    /// <summary>The launch's process: the one reported by <see cref="Spawned"/>, or what the launch returned.</summary>
    public int Pid => _spawnedChild > 0 ? _spawnedChild : _pid;

    /// <summary>Called by the /proc thread; must not block.</summary>
    public void ChildFound(int pid)
    {
        Volatile.Write(ref _foundChild, pid);
        _found.Set();
    }

    /// <summary>
    /// Called by a launch started with <see cref="Begin"/> once its process has exec'd (or was killed by the launch): the
    /// caller may wait for it from now on, and the launch no longer reaps it, even if it then fails.
    /// </summary>
    public void Spawned(int pid)
    {
        Volatile.Write(ref _spawnedChild, pid);
        _spawned.Set();
    }

    /// <summary>
    /// Runs <paramref name="launch"/> on a new thread and returns the pid it returns; <paramref name="childFound"/> gets the
    /// pid early if the launch reports it. If the callback throws, the process is killed and reaped, and that is thrown.
    /// </summary>
    public static int Run(string name, Func<SetupThread, int> launch, Action<int>? childFound)
    {
        var setup = new SetupThread();
        setup.StartThread(name, launch);
        setup._found.Wait();
        var found = Volatile.Read(ref setup._foundChild);
        ExceptionDispatchInfo? callbackFailure = null;
        if (found > 0 && childFound is not null)
        {
            try
            {
                childFound(found);
            }
            catch (Exception e)
            {
                callbackFailure = ExceptionDispatchInfo.Capture(e);
            }
        }
        setup.Join();
        if (callbackFailure is not null && setup._failure is null)
        {
            Kill(setup._pid, SigKill);
            ProcessStart.Wait(setup._pid);
            setup._failure = callbackFailure;
        }
        setup._failure?.Throw();
        return setup._pid;
    }

    /// <summary>
    /// Starts <paramref name="launch"/> on a new thread and returns: the caller may prepare what the launch waits for
    /// (<see cref="HostPreparation"/>), then <see cref="WaitForProcess"/>, wait for that process itself, and <see cref="End"/>.
    /// </summary>
    public static SetupThread Begin(string name, Func<SetupThread, int> launch)
    {
        var setup = new SetupThread { CallerReaps = true };
        setup.StartThread(name, launch);
        return setup;
    }

    /// <summary>
    /// Returns the launch's process as soon as the launch has reported it (<see cref="Spawned"/>) or ended; throws if it
    /// ended without one.
    /// </summary>
    public int WaitForProcess()
    {
        _spawned.Wait();
        if (Volatile.Read(ref _spawnedChild) == 0) End(); // ended without reporting: its failure is thrown here
        return Pid;
    }

    /// <summary>
    /// Lets a launch started by <see cref="Begin"/> end (call once its process has been reaped: the thread holds the
    /// container's namespaces until then) and waits for it; throws its failure (the process was killed then).
    /// </summary>
    public void End()
    {
        Join();
        _failure?.Throw();
    }

    /// <summary>Waits for a launch started by <see cref="Begin"/> to end, when the caller already has an error to report.</summary>
    public void EndQuietly() => Join();

    private void StartThread(string name, Func<SetupThread, int> launch)
    {
        _thread = LaunchThread.Start(name, () =>
        {
            try
            {
                _pid = launch(this);
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _found.Set();
                _spawned.Set();
            }
            // This thread holds the container's namespaces until the caller has reaped the process: its exit then only drops
            // a reference, and the teardown (every mount's unmount, ≈ 1 ms) runs in this thread's exit, while the caller
            // removes the cgroup and the directory, instead of before the caller's wait returns.
            if (CallerReaps && _spawnedChild > 0 && _failure is null) _released.Wait();
        });
    }

    private void Join()
    {
        _released.Set();
        _thread!.Join();
        _found.Dispose();
        _spawned.Dispose();
        _released.Dispose();
    }
}
