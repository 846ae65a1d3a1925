using System.Runtime.ExceptionServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Runs a container's launch on a thread of its own (the launch changes that thread's namespaces, root and
/// credentials, which a .NET process cannot do to itself) and waits for it. The /proc thread of a direct launch tells
/// it the container's first process as soon as that exists (<see cref="ChildFound"/>), and the caller's callback then
/// runs on the calling thread, with the host's root, while the launch finishes (the monitor records the pid meanwhile).
/// </summary>
internal sealed class SetupThread
{
    // Released once when the child is found and once when the launch ends, whichever comes first wakes the caller.
    private readonly SemaphoreSlim _progress = new(0);
    private int _foundChild;

    /// <summary>Called by the /proc thread; must not block.</summary>
    public void ChildFound(int pid)
    {
        Volatile.Write(ref _foundChild, pid);
        _progress.Release();
    }

    /// <summary>
    /// Runs <paramref name="launch"/> on a new thread and returns the pid it returns; <paramref name="childFound"/> gets the
    /// pid early if the launch reports it. If the callback throws, the process is killed and reaped, and that is thrown.
    /// </summary>
    public static int Run(string name, Func<SetupThread, int> launch, Action<int>? childFound)
    {
        var setup = new SetupThread();
        var pid = 0;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                pid = launch(setup);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                setup._progress.Release();
            }
        }) { Name = name };
        thread.Start();
        setup._progress.Wait();
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
        thread.Join();
        setup._progress.Dispose();
        if (callbackFailure is not null && failure is null)
        {
            Kill(pid, SigKill);
            ProcessStart.Wait(pid);
            failure = callbackFailure;
        }
        failure?.Throw();
        return pid;
    }
}
