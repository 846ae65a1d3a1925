using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Isolation.Cgroups;

/// <summary>
/// The container's own cgroup, named <c>runtime-agent/ID</c>: on a pure cgroup v2 host one directory under
/// /sys/fs/cgroup; on a v1 or hybrid host (v1 controllers, maybe an empty v2 tree at /sys/fs/cgroup/unified) one
/// per controller it needs (memory, pids, cpu, cpuacct). The container's first process joins it before it execs
/// (<see cref="ProcMounter"/> holds it at the start gate; init joins itself), so every process it ever starts is
/// inside. Removed when the container ends.
/// </summary>
internal sealed class ContainerCgroup
{
    private const string Root = "/sys/fs/cgroup", Parent = "runtime-agent";

    private readonly List<string> _directories = [];
    private readonly bool _unified;
    private string? _memory;

    private ContainerCgroup(bool unified) => _unified = unified;

    /// <summary>The directories the container's processes join (write their pid to cgroup.procs in each).</summary>
    public IReadOnlyList<string> Directories => _directories;

    /// <summary>Whether this host has the unified (v2) hierarchy alone; otherwise v1 controllers hold the limits.</summary>
    public static bool IsUnified => CgroupFiles.Exists(Path.Join(Root, "cgroup.controllers"));

    /// <summary>Creates the cgroup with its limits; a limit this host cannot enforce is an error, and nothing is left behind.</summary>
    public static ContainerCgroup Create(string id, ResourceLimits limits)
    {
        var cgroup = new ContainerCgroup(IsUnified);
        try
        {
            // A rootless agent's cgroups live in the subtree delegated to its user (RootlessMode.Limits checked there is one).
            if (UserNamespaces.RootlessMode.Active)
                CgroupV2.Create(cgroup, Path.Join(CgroupDelegation.Detect(rootless: true).Subtree
                    ?? throw new ContainerSetupException("rootless: no cgroup subtree is delegated to this user", 125), Parent), id, limits);
            else if (cgroup._unified) CgroupV2.Create(cgroup, Path.Join(Root, Parent), id, limits);
            else CgroupV1.Create(cgroup, Root, Parent, id, limits);
            return cgroup;
        }
        catch
        {
            cgroup.Remove();
            throw;
        }
    }

    /// <summary>
    /// Creates the cgroup, runs <paramref name="launch"/> (given the directories to join) to the container's exit,
    /// reports an OOM kill in one line, and removes the cgroup. Returns the container's exit code.
    /// </summary>
    public static int Run(string id, ResourceLimits limits, Func<IReadOnlyList<string>, int> launch)
    {
        var cgroup = Create(id, limits);
        try
        {
            var exitCode = launch(cgroup.Directories);
            cgroup.ReportOomKills(limits);
            return exitCode;
        }
        finally
        {
            cgroup.Remove();
        }
    }

    /// <summary>After the container exits: one line when the kernel's OOM killer killed one of its processes.</summary>
    public void ReportOomKills(ResourceLimits limits)
    {
        if (OomKills() > 0)
            Console.Error.WriteLine(limits.MemoryBytes is { } bytes
                ? $"runtime-agent: out of memory: limit {ResourceLimits.Describe(bytes)}" : "runtime-agent: out of memory");
    }

    /// <summary>Records a directory made for this container (removed by <see cref="Remove"/>), and whether it holds memory.</summary>
    internal void Add(string directory, bool memory = false)
    {
        _directories.Add(directory);
        if (memory) _memory = directory;
    }

    /// <summary>How many times the kernel's OOM killer killed a process of this container.</summary>
    public long OomKills() => _memory is null ? 0
        : _unified ? CgroupFiles.ReadKey(Path.Join(_memory, "memory.events"), "oom_kill")
        : CgroupFiles.ReadKey(Path.Join(_memory, "memory.oom_control"), "oom_kill");

    /// <summary>Puts a process (of this host's PID namespace) into the cgroup, through descriptors opened beforehand.</summary>
    public static void Join(IReadOnlyList<int> directoryFds, int pid)
    {
        foreach (var fd in directoryFds)
        {
            var result = CgroupFiles.TryWrite(fd, "cgroup.procs", pid.ToString());
            if (result < 0) throw new ContainerSetupException($"cannot move the container into its cgroup: {ErrorText(-result)}");
        }
    }

    /// <summary>
    /// Removes the directories. The container's PID 1 has been reaped, so the kernel has killed every other
    /// process of its namespace; a cgroup can stay busy for a moment while they are released.
    /// </summary>
    public void Remove()
    {
        RemoveDirectories(_directories);
        _directories.Clear();
    }

    /// <summary>Removes a container's cgroup directories, children first (also for a detached container at <c>rm</c>).</summary>
    public static void RemoveDirectories(IReadOnlyList<string> directories)
    {
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            var deadline = Environment.TickCount64 + 2000;
            while (UnlinkAt(AtFdCwd, directories[i], AtRemoveDir) < 0 && LastError is not ENoEnt)
            {
                if (LastError != EBusy || Environment.TickCount64 > deadline)
                {
                    Console.Error.WriteLine($"runtime-agent: could not remove the cgroup {directories[i]}: {ErrorText(LastError)}");
                    break;
                }
                Thread.Sleep(5);
            }
        }
    }
}
