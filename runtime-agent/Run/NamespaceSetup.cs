using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Creates the container: its namespaces, its root and its first process, with no second start of the agent.
/// A .NET process is multi-threaded and cannot move itself into new mount or PID namespaces, but one thread
/// can: this runs on a dedicated setup thread, which unshares, builds the root (overlay, /sys, /dev, /tmp,
/// volumes, hostname, loopback) and then
/// <list type="bullet">
/// <item>directly: pivots into the root itself and posix_spawns the command as PID 1 of a new PID namespace,
/// held at a <see cref="StartGate"/> until <see cref="ProcMounter"/> has mounted /proc for that namespace;</item>
/// <item>or, for <c>--init</c> or on a kernel whose procfs lacks <c>pidns=</c>: spawns this agent as
/// <c>init SPEC</c>, PID 1, which mounts /proc, pivots and execs or reaps (<see cref="ContainerInit"/>).</item>
/// </list>
/// The setup thread never creates a thread after unshare(CLONE_NEWPID) (the kernel refuses CLONE_THREAD
/// then), and drops to the container's user and its security profile (<see cref="Isolation.ThreadLockdown"/>) on
/// itself only.
/// </summary>
/// <param name="outputFd">Where the first process's stdout and stderr go (a build's RUN output pipe); -1: ours. Not with a user
/// namespace of the container's own (build steps have none).</param>
internal sealed partial class NamespaceSetup(ContainerSpec spec, string agentPath, bool newProcessGroup, int outputFd = -1)
{
    /// <summary>The pty master of a <c>-t</c> container once <see cref="Start"/> returned (the caller closes it); else -1.</summary>
    public int TerminalFd { get; private set; } = -1;

    /// <summary>
    /// Called with the container's first process on the thread that called <see cref="Start"/> as soon as that process
    /// exists (a direct launch only: before it is released to execve), while the setup thread and the /proc thread
    /// finish; so what the caller does with the pid (the monitor records it) overlaps the rest of the start. If it
    /// throws, the process is killed and <see cref="Start"/> throws that.
    /// </summary>
    public Action<int>? ChildFound { get; init; }

    /// <summary>Runs the setup on its own thread; returns the container's first process, a child of this process.</summary>
    public int Start()
    {
        var direct = !spec.ReapZombies && ProcMount.SupportsPidNamespaceOption;
        try
        {
            return SetupThread.Run("container-setup",
                setup => spec.UserNamespace is not null ? LaunchInUserNamespace(spec.UserNamespace) : direct ? LaunchDirectly(setup) : LaunchInit(),
                ChildFound);
        }
        catch when (TerminalFd >= 0)
        {
            Close(TerminalFd);
            TerminalFd = -1;
            throw;
        }
    }

    /// <summary>
    /// The caller's part of a direct launch (<see cref="StartsDirectly"/>), done while this builds the container: waited for
    /// just before the spawn, and its cgroup joined. Only with <see cref="Begin"/>.
    /// </summary>
    public HostPreparation? Host { get; init; }

    /// <summary>Whether <paramref name="spec"/> starts its command directly as PID 1 (not through init or a user namespace).</summary>
    public static bool StartsDirectly(ContainerSpec spec) =>
        spec.UserNamespace is null && !spec.ReapZombies && ProcMount.SupportsPidNamespaceOption;

    /// <summary>
    /// Like <see cref="Start"/>, but returns once the setup thread runs: the caller then does its <see cref="Host"/> part,
    /// and <see cref="WaitForProcess"/> returns as soon as the first process has exec'd (a direct launch), leaving it to
    /// the caller to wait for it: the setup and /proc threads close their descriptors and end while the container runs,
    /// off the path of a short container's exit. Call <see cref="SetupThread.End"/> once the process has been waited for:
    /// it throws if the start failed after all (the process was killed then).
    /// </summary>
    public SetupThread Begin() =>
        SetupThread.Begin("container-setup", setup => StartsDirectly(spec) ? LaunchDirectly(setup) : spec.UserNamespace is not null
            ? LaunchInUserNamespace(spec.UserNamespace) : LaunchInit());

    /// <summary>The first process of a launch started by <see cref="Begin"/>; throws (closing the terminal) if there is none.</summary>
    public int WaitForProcess(SetupThread launch)
    {
        try
        {
            return launch.WaitForProcess();
        }
        catch when (TerminalFd >= 0)
        {
            Close(TerminalFd);
            TerminalFd = -1;
            throw;
        }
    }

    private int LaunchDirectly(SetupThread setup)
    {
        Diagnostics.PhaseTrace.Mark("setup-thread");
        // Reads the seccomp program while host paths are reachable; with Host, the agent's thread does it meanwhile.
        var lockdown = Host is null ? spec.Security.Prepare() : null;
        using var root = EnterNamespaces();
        var terminal = spec.Tty ? Terminal.ContainerTerminal.Open(root) : null;
        TerminalFd = terminal?.MasterFd ?? -1;
        var rootless = UserNamespaces.RootlessMode.Active; // ProcMounter then detaches the old root, after /proc
        using var proc = new ProcMounter(root, spec.Security.MaskKernelPaths, ProcMounter.HostHandles.Open(spec.CgroupDirectories), setup.ChildFound,
            detachOldRoot: rootless); // its thread must exist before CLONE_NEWPID
        var command = ContainerEntry.Enter(spec, detachOldRoot: !rootless);
        terminal?.GiveTo(command.User);
        ContainerSetupException.Check(Unshare(CloneNewPid), "unshare the PID namespace");
        Diagnostics.PhaseTrace.Mark("pidns");
        if (Host is not null)
        {
            var (prepared, cgroupFds) = Host.Wait(); // the agent's thread resolved the profile and made the cgroup meanwhile
            proc.AddCgroups(cgroupFds);
            lockdown = prepared;
        }
        lockdown!.Apply(command.User); // the last step before the spawn: the child inherits it all
        Diagnostics.PhaseTrace.Mark("spawn");
        proc.ExpectChild();
        int pid;
        try
        {
            pid = ProcessStart.Spawn(command.Path, command.Args, command.Env, newProcessGroup, StartGate.PathInContainer, outputFd: outputFd,
                terminal: terminal?.SlavePath);
        }
        finally
        {
            proc.ChildStarted();
            Diagnostics.PhaseTrace.Mark("spawned");
        }
        if (setup.CallerReaps) setup.Spawned(pid); // the /proc thread is done with it: the gate is open or it was killed
        proc.ThrowIfFailed(pid, reap: !setup.CallerReaps);
        return pid;
    }

    private int LaunchInit()
    {
        var initSpec = spec;
        using (var root = EnterNamespaces())
        {
            // -t: the pty is opened here as on the direct path (the master stays with the agent or the monitor); init
            // only learns the slave's path, and spawns the command on it.
            if (spec.Tty)
            {
                var terminal = Terminal.ContainerTerminal.Open(root);
                TerminalFd = terminal.MasterFd;
                initSpec = spec with { TerminalPath = terminal.SlavePath };
            }
        }
        var specPath = InitSpecPath;
        initSpec.Save(specPath);
        ContainerSetupException.Check(Unshare(CloneNewPid), "unshare the PID namespace");
        return ProcessStart.Spawn(agentPath, [agentPath, "init", specPath], [], newProcessGroup, outputFd: outputFd); // init's command inherits it
    }

    /// <summary>
    /// Where init reads its spec (the container's, with the pty slave, the ready pipe): beside the root, never the
    /// container's spec.json. A forked monitor writes that one on another thread while this one launches (ForkedMonitor),
    /// and two truncating writes of one file left init a spec without its terminal (its shell on /dev/null exited 0 at
    /// once) or a corrupt file.
    /// </summary>
    private string InitSpecPath => Path.Join(Path.GetDirectoryName(spec.RootFs), "init.json");

    /// <summary>Moves this thread into new namespaces and builds the container's root there (all but /proc).</summary>
    /// <param name="beforeRoot">Runs in the new namespaces before the root is mounted (the user namespace's child and idmapped layers).</param>
    private ContainerRoot EnterNamespaces(Action? beforeRoot = null)
    {
        if (spec.NetworkNamespace is { } shared) JoinNetwork(shared);
        var flags = CloneNewNs | CloneNewUts | CloneNewIpc | (spec.PrivateNetwork ? CloneNewNet : 0);
        ContainerSetupException.Check(Unshare(flags), "unshare the container's namespaces");
        Diagnostics.PhaseTrace.Mark("unshared");
        Umask(0); // exact modes for DevSetup and ContainerRoot; the umask is this thread's own since CLONE_NEWNS
        SystemMounts.Mount(null, "/", null, MsRec | MsPrivate, null); // nothing mounted below reaches the host
        beforeRoot?.Invoke();
        spec.HostFiles?.Made.GetAwaiter().GetResult(); // made meanwhile by run -d's forked process (ForkedMonitor)
        spec.Scratch?.Mount(spec);
        Snapshots.RootMount.Mount(spec);
        Diagnostics.PhaseTrace.Mark("root-mounted");
        var root = new ContainerRoot(spec.RootFs);
        try
        {
            SystemMounts.MountAll(root, spec);
            if (spec.ReadOnlyRoot || spec.Snapshotter != Snapshots.Snapshotter.Overlay) SystemMounts.RestrictRoot(spec.RootFs, spec.ReadOnlyRoot);
            Diagnostics.PhaseTrace.Mark("mounts");
            SetHostname(spec.Hostname);
            if (spec.PrivateNetwork) Loopback.BringUp();
            Diagnostics.PhaseTrace.Mark("namespaces");
            return root;
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary><c>--net container:NAME</c>: this thread (and so the container) joins that container's network namespace.</summary>
    private static void JoinNetwork(string path)
    {
        var fd = ContainerSetupException.Check(OpenAt(AtFdCwd, path, ORdOnly | OCloExec, 0), $"open {path}");
        try
        {
            ContainerSetupException.Check(Setns(fd, CloneNewNet), "join the other container's network namespace");
        }
        finally
        {
            Close(fd);
        }
    }

    private static unsafe void SetHostname(string hostname)
    {
        var bytes = Encoding.UTF8.GetBytes(hostname);
        fixed (byte* p = bytes) ContainerSetupException.Check(Sethostname(p, (nuint)bytes.Length), $"sethostname {hostname}");
    }
}
