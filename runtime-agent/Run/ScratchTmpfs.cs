using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>--upper (decision 009): where a container's writable layer lives.</summary>
public enum UpperStorage
{
    /// <summary>Tmpfs where it can be (<see cref="ScratchTmpfs.Possible"/>), else disk.</summary>
    Auto,
    Disk,
    Tmpfs,
}

/// <summary>
/// A foreground run's scratch (decision 009): a tmpfs mounted over the container's directory inside its own mount
/// namespace, holding the overlay's upper and work directories, the root's mount point and the generated /etc files.
/// The host's disk sees one empty directory made and removed; the tmpfs goes with the namespace when the container's
/// last process exits, even if the agent is killed. Its pages are charged to whoever writes them (the container's
/// memory cgroup); its size is the kernel's default (half of RAM, as the container's /tmp) or, with --upper tmpfs and
/// --memory, that limit. A full one is ENOSPC inside the container.
/// </summary>
/// <param name="SizeBytes">The tmpfs's size; null: the kernel's default.</param>
/// <param name="EtcFiles">The generated /etc files' contents, in <see cref="Net.EtcFiles.Names"/> order.</param>
public sealed record ScratchTmpfs(long? SizeBytes, IReadOnlyList<string> EtcFiles)
{
    private const uint DirectoryMode = 0x1ed; // 0755, as the disk directories made under umask 022

    /// <summary>Linux 6.6 is the first whose tmpfs keeps user.* xattrs, which a rootless overlay (userxattr) writes in its upper.</summary>
    public static readonly Version RootlessMinimumKernel = new(6, 6);

    /// <summary>
    /// Whether a run can have one: in the foreground and removed at exit, on the kernel overlay, without --userns=auto
    /// (its upper is owned by the range, which an idmapped tmpfs upper was not checked for). A rootless agent's needs a
    /// tmpfs that keeps user.* xattrs (opaque directories, redirects of its userxattr overlay).
    /// </summary>
    public static bool Possible(RunRequest request) =>
        !request.Keep && request.Snapshotter == Snapshots.Snapshotter.Overlay
        && request.UserNamespace == UserNamespaces.UserNamespaceMode.Host
        && (!UserNamespaces.RootlessMode.Active || KernelRelease.AtLeast(RootlessMinimumKernel));

    /// <summary>Whether a run gets a scratch tmpfs; an explicit --upper tmpfs that cannot be is an error.</summary>
    public static bool Chosen(RunRequest request, bool detached) => request.Upper switch
    {
        UpperStorage.Disk => false,
        UpperStorage.Tmpfs when detached || !Possible(request) => throw new ContainerSetupException(
            $"--upper tmpfs needs a foreground container removed at exit on the kernel overlay (not -d, --keep, --userns=auto, another --snapshotter, or a rootless agent on a kernel before Linux {RootlessMinimumKernel})", 1),
        // With --memory the tmpfs's pages would count against the same limit as the processes' own: a container that
        // writes much would be OOM-killed where it used to fill the disk, so auto leaves a memory-limited one on disk.
        _ => !detached && Possible(request) && request.Limits?.MemoryBytes is null,
    };

    /// <summary>On the setup thread, in the container's mount namespace once / is private, with umask 0.</summary>
    public void Mount(ContainerSpec spec)
    {
        var dir = Path.GetDirectoryName(spec.RootFs)!;
        SystemMounts.Mount("tmpfs", dir, "tmpfs", MsNodev, SizeBytes is { } size ? $"mode=700,size={size}" : "mode=700");
        foreach (var path in new[] { spec.UpperDir, spec.WorkDir, spec.RootFs })
            ContainerSetupException.Check(MkdirAt(AtFdCwd, path, DirectoryMode), $"mkdir {path}");
        Net.EtcFiles.Write(dir, EtcFiles);
    }
}
