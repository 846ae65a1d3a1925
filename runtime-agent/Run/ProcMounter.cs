using System.Runtime.ExceptionServices;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// The second thread of a direct launch. The container's /proc must show its PID namespace, which exists only
/// once its first process does, and the setup thread is blocked in posix_spawn (vfork) until that process
/// execs. So this thread — started by the setup thread, hence in the container's mount namespace, and still
/// root — finds the new child, moves it into the container's cgroup, mounts /proc for its namespace, and opens
/// the <see cref="StartGate"/> that
/// holds it before execve. Host paths are reached through descriptors opened before pivot_root.
/// In a rootless agent the kernel lets a user namespace mount a new procfs only while a fully visible one is in its mount
/// namespace ("mount too revealing"): there the setup thread leaves the old root stacked under the container's (the child
/// cannot reach it by path) and this thread detaches it once /proc is mounted, before the child may exec.
/// </summary>
internal sealed class ProcMounter : IDisposable
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);

    private readonly int _hostProcFd, _procDirFd, _setupThreadId, _nullFd, _oldRootFd = -1;
    private readonly List<int> _cgroupFds = [];
    private readonly StartGate _gate;
    // No spinning before blocking: the threads this one waits for need the CPUs (two on the machines measured).
    private readonly ManualResetEventSlim _expectChild = new(false, spinCount: 0), _childStarted = new(false, spinCount: 0);
    private readonly LaunchThread _thread;
    private readonly Action<int>? _childFound;
    private volatile bool _cancelled;
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// What the /proc thread needs of the host, opened while the host's paths can still be named (before pivot_root or a
    /// join of the container's mount namespace): /proc, and the container's cgroup directories.
    /// </summary>
    public sealed record HostHandles(int ProcFd, IReadOnlyList<int> CgroupFds)
    {
        public static HostHandles Open(IReadOnlyList<string> cgroupDirectories)
        {
            var cgroups = new List<int>();
            try
            {
                foreach (var directory in cgroupDirectories)
                    cgroups.Add(ContainerSetupException.Check(OpenAt(AtFdCwd, directory, OPath | ODirectory | OCloExec, 0), $"open the cgroup {directory}"));
                return new HostHandles(ContainerSetupException.Check(OpenAt(AtFdCwd, "/proc", OPath | ODirectory | OCloExec, 0), "open /proc"), cgroups);
            }
            catch
            {
                cgroups.ForEach(fd => Close(fd));
                throw;
            }
        }
    }

    /// <summary>
    /// Call on the setup thread, in the container's mount namespace with its root built, before CLONE_NEWPID; takes
    /// over <paramref name="host"/>'s descriptors.
    /// </summary>
    /// <param name="childFound">Told the child's pid as soon as it is found (before /proc and the gate); must not block.</param>
    /// <param name="detachOldRoot">This thread detaches the old root after mounting /proc (the setup thread did not).</param>
    public ProcMounter(ContainerRoot root, bool maskKernelPaths, HostHandles host, Action<int>? childFound = null, bool detachOldRoot = false)
    {
        _childFound = childFound;
        _cgroupFds.AddRange(host.CgroupFds);
        _hostProcFd = host.ProcFd;
        _setupThreadId = Gettid();
        try
        {
            _nullFd = maskKernelPaths ? root.TryOpen("/dev/null") : -1; // owned by root
            _procDirFd = root.OpenDirectory("/proc");
            if (detachOldRoot) _oldRootFd = ContainerSetupException.Check(OpenAt(AtFdCwd, "/", OPath | ODirectory | OCloExec, 0), "open the old root");
            _gate = new StartGate(root);
        }
        catch
        {
            Close(_hostProcFd);
            _cgroupFds.ForEach(fd => Close(fd));
            if (_procDirFd > 0) Close(_procDirFd);
            if (_oldRootFd >= 0) Close(_oldRootFd);
            throw;
        }
        _thread = LaunchThread.Start("container-proc", Run); // a thread of this one's namespaces: it must exist before CLONE_NEWPID
    }

    /// <summary>Adds cgroup directories (opened) for the child to join; before <see cref="ExpectChild"/>. Takes them over.</summary>
    public void AddCgroups(IReadOnlyList<int> directoryFds) => _cgroupFds.AddRange(directoryFds);

    /// <summary>The setup thread is about to spawn the container's first process.</summary>
    public void ExpectChild() => _expectChild.Set();

    /// <summary>posix_spawn has returned: the child has exec'd, or failed to.</summary>
    public void ChildStarted()
    {
        _gate.WakeArrival(); // before the event: once it is set, this thread may dispose the gate
        _childStarted.Set();
    }

    /// <summary>
    /// Waits for this thread; if it could not mount /proc, the child was killed, and this reaps it (unless
    /// <paramref name="reap"/> is false: the caller's) and throws why.
    /// </summary>
    public void ThrowIfFailed(int pid, bool reap = true)
    {
        _thread.Join();
        if (_failure is null) return;
        if (reap) ProcessStart.Wait(pid);
        _failure.Throw();
    }

    private void Run()
    {
        var child = 0;
        try
        {
            _expectChild.Wait();
            if (_cancelled) return;
            child = SpawnedChild.Find(_hostProcFd, _setupThreadId, _gate, () => _childStarted.IsSet, ChildTimeout);
            if (child == 0) return; // posix_spawn failed before creating a process
            Diagnostics.PhaseTrace.Mark("child-found");
            _childFound?.Invoke(child);
            Isolation.Cgroups.ContainerCgroup.Join(_cgroupFds, child);
            var pidNamespace = ContainerSetupException.Check(OpenAt(_hostProcFd, $"{child}/ns/pid", ORdOnly | OCloExec, 0), "open the container's PID namespace");
            Diagnostics.PhaseTrace.Mark("cgroup-joined");
            try
            {
                ProcMount.Attach(_procDirFd, pidNamespace, _nullFd >= 0 ? _nullFd : null);
            }
            finally
            {
                Close(pidNamespace);
            }
            if (_oldRootFd >= 0) DetachOldRoot();
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            if (child > 0) Kill(child, SigKill);
        }
        finally
        {
            ReleaseGate();
        }
    }

    // The setup thread is blocked in posix_spawn and its child has a cwd of its own: this thread may move their shared one.
    private void DetachOldRoot()
    {
        ContainerSetupException.Check(Fchdir(_oldRootFd), "enter the old root");
        ContainerSetupException.Check(Umount2(".", MntDetach), "detach the old root");
    }

    private void ReleaseGate()
    {
        try
        {
            if (!_cancelled) _gate.Open();
            Diagnostics.PhaseTrace.Mark("gate-open");
        }
        catch (Exception e) when (_failure is null)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        if (!_cancelled) _childStarted.Wait(); // the child opens the gate by path: remove it only after exec
        _gate.Dispose();
    }

    public void Dispose()
    {
        if (_thread.IsAlive && !_expectChild.IsSet)
        {
            _cancelled = true; // setup failed before the spawn: stop the thread without touching anything
            _expectChild.Set();
        }
        _thread.Join();
        Close(_procDirFd);
        Close(_hostProcFd);
        if (_oldRootFd >= 0) Close(_oldRootFd);
        _cgroupFds.ForEach(fd => Close(fd));
        _expectChild.Dispose();
        _childStarted.Dispose();
    }
}
