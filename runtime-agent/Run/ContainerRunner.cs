using RuntimeAgent.Store;

namespace RuntimeAgent.Run;

/// <summary>How to run one container, from the run command's options.</summary>
public sealed record RunRequest(
    RunOverrides Overrides, IReadOnlyList<VolumeMount> Volumes, string? Hostname, bool HostNetwork,
    bool ReapZombies, bool Keep, TimeSpan StopTimeout, Net.DnsOptions? Dns = null, string? NetworkNamespace = null)
{
    /// <summary>How the container's root is stacked (<c>--snapshotter</c>).</summary>
    public Snapshots.Snapshotter Snapshotter { get; init; }
    /// <summary>--privileged, --cap-add/--cap-drop, --security-opt (Run/Isolation).</summary>
    public Isolation.SecurityOptions Security { get; init; } = Isolation.SecurityOptions.Default;
    /// <summary>--memory, --memory-swap, --pids-limit, --cpus, --cpu-weight; null with --cgroups=disabled (no cgroup of its own).</summary>
    public Isolation.Cgroups.ResourceLimits? Limits { get; init; } = Isolation.Cgroups.ResourceLimits.Default;
    public IReadOnlyList<TmpfsMount> Tmpfs { get; init; } = [];
    public bool ReadOnlyRoot { get; init; }
    /// <summary>--userns: auto gives the container a user namespace over a host id range of its own (Run/UserNamespaces).</summary>
    public UserNamespaces.UserNamespaceMode UserNamespace { get; init; }
    /// <summary>-t: a pty as the command's stdio; -i: the agent's stdin relayed to it (without -t stdin is inherited).</summary>
    public bool Tty { get; init; }
    public bool Interactive { get; init; } = true;
}

/// <summary>
/// Host side of <c>run</c>: makes the container's directory (containers/ID with upper, work and rootfs),
/// writes the spec for init, launches it in new namespaces, and removes the directory when the container
/// exits (unless kept). Returns the container's exit code.
/// </summary>
public sealed class ContainerRunner(StoreLayout layout, string agentPath)
{
    public int Run(ResolvedImage image, RunRequest request)
    {
        var id = ContainerId.New();
        var hostname = request.Hostname ?? id;
        var process = ContainerProcess.Build(image.Config, request.Overrides, hostname, Environment.GetEnvironmentVariable);
        var security = request.Security.Resolve(layout.SeccompDirectory);
        var dir = Path.Join(layout.ContainersDirectory, id);
        Directory.CreateDirectory(layout.ContainersDirectory);
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var userNamespace = request.UserNamespace == UserNamespaces.UserNamespaceMode.Auto;
        try
        {
            var range = userNamespace ? UserNamespaces.UserNamespaceAllocation.Take(layout, id) : null;
            int Launch(IReadOnlyList<string> cgroups)
            {
                var spec = CreateSpec(image, request, process, id, dir, hostname) with { Security = security, CgroupDirectories = cgroups, UserNamespace = range };
                if (range is not null) UserNamespaces.UserNamespaceAllocation.Own(spec, range);
                using var root = Snapshots.RootMount.Prepare(spec);
                return new ContainerLauncher(agentPath, request.StopTimeout, request.Interactive).Run(spec);
            }
            return request.Limits is null ? Launch([]) : Isolation.Cgroups.ContainerCgroup.Run(id, request.Limits, Launch);
        }
        finally
        {
            if (!request.Keep) Remove(dir);
            if (userNamespace && !request.Keep) UserNamespaces.UserNamespaceAllocation.Release(layout, id);
        }
    }

    /// <summary>The spec for a container in <paramref name="dir"/> (its upper, work and rootfs directories are created here).</summary>
    internal static ContainerSpec CreateSpec(ResolvedImage image, RunRequest request, ContainerProcess process, string id, string dir, string hostname) => new()
    {
        Id = id,
        LowerDirs = image.LayerDirectories.Reverse().ToList(),
        UpperDir = Directory.CreateDirectory(Path.Join(dir, "upper")).FullName,
        WorkDir = Directory.CreateDirectory(Path.Join(dir, "work")).FullName,
        RootFs = Directory.CreateDirectory(Path.Join(dir, "rootfs")).FullName,
        Hostname = hostname,
        PrivateNetwork = !request.HostNetwork && request.NetworkNamespace is null,
        NetworkNamespace = request.NetworkNamespace,
        // The generated /etc files first, so a user's own -v over one of them wins.
        Volumes = [.. Net.EtcFiles.Write(dir, hostname, request.HostNetwork || request.NetworkNamespace is not null, request.Dns ?? Net.DnsOptions.None),
                   .. request.Volumes],
        Tmpfs = request.Tmpfs,
        ReadOnlyRoot = request.ReadOnlyRoot,
        Args = process.Args,
        Env = process.Env,
        WorkingDir = process.WorkingDir,
        User = process.User,
        ReapZombies = request.ReapZombies,
        Tty = request.Tty,
        DisposableUpper = !request.Keep,
        Snapshotter = request.Snapshotter,
    };

    // What a run leaves in its directory when the container wrote nothing to its upper dir: the /etc files
    // EtcFiles wrote (unlinked), then the directories, children before parents (work/work/incompat/volatile is
    // overlayfs's marker of a volatile mount).
    private static readonly string[] FilesAfterExit = Net.EtcFiles.Names;
    private static readonly string[] EmptyAfterExit = ["upper", "rootfs", "work/work/incompat/volatile", "work/work/incompat", "work/work", "work", ""];

    private static void Remove(string dir)
    {
        try
        {
            // Every mount of the container lived in its own mount namespace, gone with its last process,
            // so nothing is mounted below dir on the host and a recursive delete cannot reach other data.
            // Most containers leave every directory empty: remove them one rmdir each, and walk the tree only
            // when something is left (the upper dir holds what the container wrote).
            foreach (var file in FilesAfterExit) Native.Libc.UnlinkAt(Native.Libc.AtFdCwd, Path.Join(dir, file), 0);
            foreach (var relative in EmptyAfterExit)
            {
                if (Native.Libc.UnlinkAt(Native.Libc.AtFdCwd, Path.Join(dir, relative), Native.Libc.AtRemoveDir) == 0) continue;
                Directory.Delete(dir, recursive: true);
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runtime-agent: could not remove {dir}: {e.Message}");
        }
    }
}
