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
    /// <summary>--upper: the writable layer on the disk or, for a foreground run removed at exit, on a tmpfs (decision 009).</summary>
    public UpperStorage Upper { get; init; }
    /// <summary>--health-* over the image's Healthcheck: checked while the run lasts (Containers/ForegroundHealthCheck).</summary>
    public Containers.HealthOptions? Health { get; init; }
    /// <summary>The image as the user named it, for the record a foreground run with a health check gets.</summary>
    public string Reference { get; init; } = "";
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
        var dir = Path.Join(layout.ContainersDirectory, id);
        Directory.CreateDirectory(layout.ContainersDirectory);
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var userNamespace = request.UserNamespace == UserNamespaces.UserNamespaceMode.Auto;
        // The cgroup is made on this thread while the setup thread builds the container (a direct launch waits for it
        // before its spawn: ContainerLauncher), or before the launch for init, whose spec names it; removed on this thread.
        // A thread of its own cost more than the few mkdirs and rmdirs it overlapped (docs/PERFORMANCE.md, eighth session).
        Isolation.Cgroups.ContainerCgroup? cgroup = null;
        Containers.ForegroundHealthCheck? health = null;
        int? exitCode = null;
        try
        {
            var range = userNamespace ? UserNamespaces.UserNamespaceAllocation.Take(layout, id) : null;
            var scratch = ScratchTmpfs.Chosen(request, detached: false);
            // A direct launch's profile is resolved (the seccomp filter built, its program found by its key and read) on this
            // thread while the setup thread builds the container, which needs only whether to mask kernel paths before then.
            var spec = CreateSpec(image, request, process, id, dir, hostname, scratch)
                with { Security = new() { MaskKernelPaths = !request.Security.Privileged }, UserNamespace = range };
            var direct = NamespaceSetup.StartsDirectly(spec);
            var security = direct ? null : request.Security.Resolve(layout.SeccompDirectory);
            if (security is not null) spec = spec with { Security = security };
            var limits = request.Limits;
            var cgroupMeanwhile = limits is not null && direct;
            if (limits is not null && !cgroupMeanwhile)
                spec = spec with { CgroupDirectories = (cgroup = Isolation.Cgroups.ContainerCgroup.Create(id, limits)).Directories }; // leaves nothing if it fails
            if (range is not null) UserNamespaces.UserNamespaceAllocation.Own(spec, range);
            using var root = Snapshots.RootMount.Prepare(spec);
            Diagnostics.PhaseTrace.Mark("launch");
            // The health check (if any) starts once the container's process runs: nothing is added before it.
            exitCode = new ContainerLauncher(agentPath, request.StopTimeout).Run(spec,
                pid => health = Containers.ForegroundHealthCheck.Start(layout, image, request,
                    spec with { Security = security!, CgroupDirectories = cgroup?.Directories ?? [] }, pid),
                createCgroup: cgroupMeanwhile ? () => (cgroup = Isolation.Cgroups.ContainerCgroup.Create(id, limits!)).Directories : null,
                resolveSecurity: direct ? () => security = request.Security.Resolve(layout.SeccompDirectory) : null);
            Diagnostics.PhaseTrace.Mark("exited");
            cgroup?.ReportOomKills(request.Limits!);
            return exitCode.Value;
        }
        finally
        {
            health?.End(exitCode, request.Keep); // before the cgroup goes: a check in progress is in it
            cgroup?.Remove();
            if (!request.Keep) RunDirectory.Remove(dir); // an empty directory when the container's scratch was a tmpfs
            if (userNamespace && !request.Keep) UserNamespaces.UserNamespaceAllocation.Release(layout, id);
            Diagnostics.PhaseTrace.Mark("removed");
        }
    }

    /// <summary>
    /// The spec for a container in <paramref name="dir"/>: its upper, work and rootfs directories (and /etc files) are
    /// created here or, on a <paramref name="scratch"/> tmpfs, by the setup thread inside the container's mount namespace
    /// (ScratchTmpfs), or, with <paramref name="hostFilesLater"/> where it fits, on the disk by whoever calls the spec's
    /// <see cref="ContainerSpec.HostFiles"/> while the setup thread unshares.
    /// </summary>
    internal static ContainerSpec CreateSpec(ResolvedImage image, RunRequest request, ContainerProcess process, string id, string dir, string hostname,
                                             bool scratch = false, bool hostFilesLater = false)
    {
        // The generated /etc files first, so a user's own -v over one of them wins.
        var etc = Net.EtcFiles.Render(hostname, request.HostNetwork || request.NetworkNamespace is not null, request.Dns ?? Net.DnsOptions.None);
        var makeLater = hostFilesLater && !scratch && request.Snapshotter == Snapshots.Snapshotter.Overlay
            && request.UserNamespace == UserNamespaces.UserNamespaceMode.Host;
        var pathsOnly = scratch || makeLater; // made later: on the tmpfs, or by HostFilesLater
        string upper = Subdirectory(dir, "upper", pathsOnly), work = Subdirectory(dir, "work", pathsOnly), rootfs = Subdirectory(dir, "rootfs", pathsOnly);
        var later = makeLater ? new HostFilesLater(dir, [upper, work, rootfs], etc) : null;
        return new()
        {
            Id = id,
            LowerDirs = TopFirst(image.LayerDirectories),
            UpperDir = upper,
            WorkDir = work,
            RootFs = rootfs,
            Hostname = hostname,
            PrivateNetwork = !request.HostNetwork && request.NetworkNamespace is null,
            NetworkNamespace = request.NetworkNamespace,
            Volumes = [.. pathsOnly ? Net.EtcFiles.Mounts(dir) : Net.EtcFiles.Write(dir, etc), .. request.Volumes],
            Scratch = scratch ? new ScratchTmpfs(request.Limits?.MemoryBytes, etc) : null,
            HostFiles = later,
            Tmpfs = request.Tmpfs,
            ReadOnlyRoot = request.ReadOnlyRoot,
            Args = process.Args,
            Env = process.Env,
            WorkingDir = process.WorkingDir,
            User = process.User,
            ReapZombies = request.ReapZombies,
            Tty = request.Tty,
            TerminalInput = request.Tty && request.Interactive,
            DisposableUpper = !request.Keep,
            Snapshotter = request.Snapshotter,
        };
    }

    // overlayfs wants lowerdir= top first. A loop, not Reverse().ToList(): LINQ's first calls cost a NativeAOT process
    // run-time interface dispatch resolution, on the path of every `run` (docs/PERFORMANCE.md).
    private static List<string> TopFirst(IReadOnlyList<string> bottomFirst)
    {
        var layers = new List<string>(bottomFirst.Count);
        for (var i = bottomFirst.Count - 1; i >= 0; i--) layers.Add(bottomFirst[i]);
        return layers;
    }

    private static string Subdirectory(string dir, string name, bool scratch) =>
        scratch ? Path.Join(dir, name) : Directory.CreateDirectory(Path.Join(dir, name)).FullName;
}
