using RuntimeAgent.Run;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// The monitor's side of <see cref="FirstStart"/>: a first run in the namespaces and root that <c>run -d</c> built on a
/// thread of its own while the monitor's runtime started (<see cref="PreparedContainer"/>), so that work is off the
/// path <c>run -d</c> waits for. As <c>exec</c> does (<see cref="ContainerExec"/>), a thread of the monitor leaves the
/// monitor's filesystem context (unshare CLONE_FS), joins that thread's IPC, UTS, network and mount namespaces and
/// takes its root; then it does what a direct launch does last (<see cref="NamespaceSetup"/>): the /proc thread, a new
/// PID namespace, the lockdown, and the command held at the start gate until its cgroup and /proc are ready. The
/// container's first process is thus the monitor's child, as it must be (only a parent gets its exit status).
/// </summary>
internal static class JoinedStart
{
    private static readonly (string Name, int Type)[] Namespaces =
        [("ipc", CloneNewIpc), ("uts", CloneNewUts), ("net", CloneNewNet), ("mnt", CloneNewNs)];

    /// <summary>
    /// Starts the run; returns its pid, or 0 when the prepared namespaces are gone (the CLI died): the caller then builds
    /// the run itself. Throws <see cref="ContainerSetupException"/> when the run could not start.
    /// </summary>
    public static int Start(FirstStart first, Action<int>? childFound)
    {
        var fds = OpenPrepared(first);
        if (fds is null) return 0;
        try
        {
            var lockdown = first.Security.Prepare(); // reads the seccomp program while host paths are reachable
            var host = ProcMounter.HostHandles.Open(first.CgroupDirectories);
            return SetupThread.Run("container-join", setup => Launch(first, fds, lockdown, host, setup), childFound);
        }
        finally
        {
            foreach (var fd in fds.Values) Close(fd);
        }
    }

    /// <summary>The CLI's thread's namespaces and root; null unless the CLI, this monitor's parent, still holds them.</summary>
    private static Dictionary<string, int>? OpenPrepared(FirstStart first)
    {
        var fds = new Dictionary<string, int>();
        var task = $"/proc/{first.CliPid}/task/{first.ThreadId}";
        foreach (var name in Namespaces.Select(n => n.Name).Append("root"))
        {
            var fd = OpenAt(AtFdCwd, name == "root" ? $"{task}/root" : $"{task}/ns/{name}", ORdOnly | OCloExec, 0);
            if (fd < 0) break;
            fds[name] = fd;
        }
        // Checked after opening: while the CLI is our parent, its pid (and its thread's, which it keeps until we report) is not reused.
        if (fds.Count == Namespaces.Length + 1 && Getppid() == first.CliPid) return fds;
        foreach (var fd in fds.Values) Close(fd);
        return null;
    }

    private static int Launch(FirstStart first, Dictionary<string, int> fds, Run.Isolation.ThreadLockdown lockdown, ProcMounter.HostHandles host,
        SetupThread setup)
    {
        Diagnostics.PhaseTrace.Mark("join-thread");
        try
        {
            ContainerSetupException.Check(Unshare(CloneFs), "unshare CLONE_FS"); // root, cwd and umask become this thread's own
            foreach (var (name, type) in Namespaces)
                ContainerSetupException.Check(Setns(fds[name], type), $"join the container's {name} namespace");
            ContainerSetupException.Check(Fchdir(fds["root"]), "enter the container's root");
            ContainerSetupException.Check(Chroot("."), "chroot into the container's root");
        }
        catch
        {
            Close(host.ProcFd);
            foreach (var fd in host.CgroupFds) Close(fd);
            throw;
        }
        ContainerSetupException.Check(Chdir(first.WorkingDir), $"chdir {first.WorkingDir}");
        Umask(0x12); // 022, as ContainerEntry leaves it for a direct launch
        Diagnostics.PhaseTrace.Mark("joined");
        using var root = new ContainerRoot("/");
        using var proc = new ProcMounter(root, first.Security.MaskKernelPaths, host, setup.ChildFound); // its thread must exist before CLONE_NEWPID
        ContainerSetupException.Check(Unshare(CloneNewPid), "unshare the PID namespace");
        Diagnostics.PhaseTrace.Mark("pidns");
        lockdown.Apply(first.Command.User); // the last step before the spawn: the child inherits it all
        proc.ExpectChild();
        int pid;
        try
        {
            pid = ProcessStart.Spawn(first.Command.Path, first.Command.Args, first.Command.Env, newProcessGroup: true, StartGate.PathInContainer);
        }
        finally
        {
            proc.ChildStarted();
            Diagnostics.PhaseTrace.Mark("spawned");
        }
        proc.ThrowIfFailed(pid);
        return pid;
    }
}
